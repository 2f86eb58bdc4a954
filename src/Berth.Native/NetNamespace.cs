namespace Berth.Native;

/// <summary>Network namespaces: a thread that enters one creates its sockets there (sockets made before stay where they are).</summary>
public static class NetNamespace
{
    /// <summary>Moves the calling thread into the network namespace of process <paramref name="pid"/>.</summary>
    public static void EnterThread(int pid)
    {
        using var handle = File.OpenHandle($"/proc/{pid}/ns/net", FileMode.Open, FileAccess.Read);
        Interop.IOErrors.ThrowIfLibcError(Interop.Libc.Setns((int)handle.DangerousGetHandle(), Interop.Libc.CloneNewNet), $"setns into the network namespace of {pid}");
    }
}
