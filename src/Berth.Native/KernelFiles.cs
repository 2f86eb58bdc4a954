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
    [SkipLocalsInit] // the stack buffer is only read where read(2) filled it; zeroing 4 KiB per file showed in profiles
    public static unsafe string? Read(string path, out int errno)
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
                    n = Interop.KernelFiles.Read(fd, p + length, (nuint)(buffer.Length - length));
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
        finally
        {
            Interop.KernelFiles.Close(fd);
        }
    }

    /// <summary>The file's text, or null when it cannot be read.</summary>
    public static string? Read(string path) => Read(path, out _);
}
