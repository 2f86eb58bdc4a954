using System.Diagnostics;
using System.IO.Compression;
using Berth.Api;

namespace Berth.Server.Images;

/// <summary>What a file is, by its first bytes (as LXD's DetectCompressionFile).</summary>
public enum FileKind
{
    Unknown,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Lzma,
    Zstd,
    Squashfs,
    Qcow2,
}

/// <summary>Detects compression and opens a decompressed stream: gzip in-process, the others through Debian's tools.</summary>
public static class Compression
{
    public static FileKind Detect(string path)
    {
        Span<byte> head = stackalloc byte[264];
        using var file = File.OpenRead(path);
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (head.StartsWith("hsqs"u8))
        {
            return FileKind.Squashfs;
        }

        if (head.StartsWith("QFI\xfb"u8))
        {
            return FileKind.Qcow2;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            return FileKind.Gzip;
        }

        if (head.StartsWith("BZh"u8))
        {
            return FileKind.Bzip2;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
        {
            return FileKind.Xz;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            return FileKind.Zstd;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x5d, 0x00, 0x00]))
        {
            return FileKind.Lzma;
        }

        if (head.Length >= 262 && head[257..262].SequenceEqual("ustar"u8))
        {
            return FileKind.Tar;
        }

        return FileKind.Unknown;
    }

    /// <summary>A readable stream of the tar inside <paramref name="path"/>; dispose it to reap any helper process.</summary>
    public static Stream OpenTar(string path, FileKind kind)
    {
        switch (kind)
        {
            case FileKind.Tar:
                return File.OpenRead(path);
            case FileKind.Gzip:
                return new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            case FileKind.Xz:
                return new ToolStream("xz", ["-dc", path]);
            case FileKind.Lzma:
                return new ToolStream("xz", ["--format=lzma", "-dc", path]);
            case FileKind.Bzip2:
                return new ToolStream("bzip2", ["-dc", path]);
            case FileKind.Zstd:
                return new ToolStream("zstd", ["-dc", path]);
            default:
                throw new ApiException(400, $"Unsupported image file format ({kind})");
        }
    }

    /// <summary>The stdout of a decompressor; a failing tool surfaces as an error when the stream is disposed or ends early.</summary>
    private sealed class ToolStream : Stream
    {
        private readonly Process _process;
        private readonly Stream _output;
        private readonly Task<string> _stderr;
        private bool _disposed;

        public ToolStream(string tool, string[] args)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            try
            {
                _process = Process.Start(start) ?? throw new ApiException(500, $"Failed to start {tool}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new ApiException(500, $"{tool} is needed to read this image and is not installed: {e.Message}");
            }

            _output = _process.StandardOutput.BaseStream;
            _stderr = _process.StandardError.ReadToEndAsync();
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = _output.Read(buffer, offset, count);
            if (read == 0)
            {
                CheckExit();
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                _output.Dispose();
                if (!_process.HasExited)
                {
                    _process.Kill();
                }

                _process.WaitForExit();
                _process.Dispose();
            }

            base.Dispose(disposing);
        }

        private void CheckExit()
        {
            _process.WaitForExit();
            if (_process.ExitCode != 0)
            {
                throw new InvalidDataException(_stderr.Result.Trim());
            }
        }
    }
}
