using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Native;

/// <summary>
/// Small kernel-made text files (/proc, cgroupfs) read with open/read/close and nothing else: File.ReadAllText adds
/// flock, fstat and a FileStream with a StreamReader per file, and a state read of a container reads about ten.
/// </summary>
public static class KernelFiles
{
    private const int ORdonly = 0;
    private const int OCloexec = 0x80000;

    /// <summary>The file's text, or null with <paramref name="errno"/> set when it cannot be opened or read.</summary>
    public static string? Read(string path, out int errno)
    {
        errno = 0;
        var fd = Interop.KernelFiles.Open(path, ORdonly | OCloexec);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        try
        {
            return ReadFd(fd, positioned: false, out errno);
        }
        finally
        {
            Interop.KernelFiles.Close(fd);
        }
    }

    /// <summary>
    /// The text of a file kept open (<see cref="KernelFile"/>), read again from its start with pread: the kernel makes
    /// the text anew on each read from offset 0.
    /// </summary>
    public static string? Read(KernelFile file, out int errno)
    {
        ArgumentNullException.ThrowIfNull(file);
        var added = false;
        try
        {
            // Held while reading: a dispose on another thread must not close (and free for reuse) the fd mid-read.
            file.DangerousAddRef(ref added);
            return ReadFd((int)file.DangerousGetHandle(), positioned: true, out errno);
        }
        catch (ObjectDisposedException)
        {
            errno = Interop.IOErrors.EBADF;
            return null;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>The file's text, or null when it cannot be read.</summary>
    public static string? Read(string path) => Read(path, out _);

    internal static int OpenReadOnly(string path) => Interop.KernelFiles.Open(path, ORdonly | OCloexec);

    [SkipLocalsInit] // the stack buffer is only read where read(2) filled it; zeroing 4 KiB per file showed in profiles
    private static unsafe string? ReadFd(int fd, bool positioned, out int errno)
    {
        errno = 0;
        Span<byte> small = stackalloc byte[4096];
        var buffer = small;
        var length = 0;
        for (var reads = 0; reads < 1024; reads++)
        {
            if (length == buffer.Length)
            {
                var bigger = new byte[buffer.Length * 4];
                buffer.CopyTo(bigger);
                buffer = bigger;
            }

            nint n;
            fixed (byte* p = buffer)
            {
                n = positioned
                    ? Interop.KernelFiles.ReadAt(fd, p + length, (nuint)(buffer.Length - length), length)
                    : Interop.KernelFiles.Read(fd, p + length, (nuint)(buffer.Length - length));
            }

            if (n < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.IOErrors.EINTR)
                {
                    continue;
                }

                return null;
            }

            if (n == 0)
            {
                break;
            }

            length += (int)n;
        }

        return Encoding.UTF8.GetString(buffer[..length]);
    }

}
