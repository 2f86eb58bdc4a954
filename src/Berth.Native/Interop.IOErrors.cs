using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    /// <summary>The one place where errno values become exceptions.</summary>
    internal static class IOErrors
    {
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int ESRCH = 3;
        internal const int EINTR = 4;
        internal const int EIO = 5;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11;
        internal const int EACCES = 13;
        internal const int EINVAL = 22;
        internal const int ETIMEDOUT = 110;
        internal const int ECANCELED = 125;
        internal const int EOPNOTSUPP = 95;

        /// <summary>Throws for a shim-style result (negative errno); returns it otherwise.</summary>
        internal static int ThrowIfError(int result, string what, bool withLxcError = false)
        {
            return result < 0 ? throw GetException(-result, what, withLxcError) : result;
        }

        /// <summary>Throws for a libc-style result (-1 and errno in Marshal.GetLastPInvokeError).</summary>
        internal static int ThrowIfLibcError(int result, string what)
        {
            return result < 0 ? throw GetException(Marshal.GetLastPInvokeError(), what) : result;
        }

        internal static Exception GetException(int errno, string what, bool withLxcError = false)
        {
            var detail = withLxcError ? BerthLxc.LastError() : "";
            var message = $"{what}: {Marshal.GetPInvokeErrorMessage(errno)}" + (detail.Length > 0 ? $" ({detail})" : "");
            return errno switch
            {
                ENOENT => new FileNotFoundException(message),
                EPERM or EACCES => new UnauthorizedAccessException(message),
                ETIMEDOUT => new TimeoutException(message),
                EOPNOTSUPP => new NotSupportedException(message),
                ECANCELED => new OperationCanceledException(message),
                _ => new ErrnoException(errno, message),
            };
        }
    }
}

/// <summary>A failed system or liblxc call, with its errno (e.g. 3 = ESRCH when the container is not running).</summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException()
    {
    }

    public ErrnoException(string message)
        : base(message)
    {
    }

    public ErrnoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ErrnoException(int errno, string message)
        : base(message)
    {
        Errno = errno;
    }

    public int Errno { get; }

    /// <summary>True for ESRCH: the container (or process) is not running.</summary>
    public bool IsNotRunning => Errno == Interop.IOErrors.ESRCH;
}
