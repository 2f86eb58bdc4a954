using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>pipe2(O_CLOEXEC): neither end reaches a child unless it is mapped explicitly (<see cref="NativeProcess.Spawn"/>).</summary>
public static class Pipe
{
    public static unsafe (SafeFileHandle Read, SafeFileHandle Write) Create()
    {
        var fds = stackalloc int[2];
        Interop.IOErrors.ThrowIfLibcError(Interop.Libc.Pipe2(fds, Interop.Libc.OCloexec), "pipe2");
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }
}
