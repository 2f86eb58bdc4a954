using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Berth.Cli.Terminal;

/// <summary>
/// The local terminal in raw mode for an interactive session (keys go to the remote pty unprocessed, as with lxc
/// exec); disposing restores the saved settings. Also reports window size changes (SIGWINCH).
/// </summary>
internal sealed partial class RawTerminal : IDisposable
{
    // glibc's struct termios is 60 bytes on Linux; a little more room costs nothing.
    private const int TermiosSize = 64;
    private const int StdinFd = 0;
    private const int TcsaNow = 0;

    private readonly byte[] _saved;
    private readonly Channel<(int Width, int Height)> _resizes = Channel.CreateUnbounded<(int, int)>();
    private readonly PosixSignalRegistration _winch;

    private RawTerminal(byte[] saved)
    {
        _saved = saved;
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => _resizes.Writer.TryWrite(Size()));
    }

    /// <summary>New window sizes, as the user resizes the terminal.</summary>
    public ChannelReader<(int Width, int Height)> Resizes => _resizes.Reader;

    /// <summary>The terminal's current size in columns and rows (80x24 when it cannot be read).</summary>
    public static (int Width, int Height) Size()
    {
        try
        {
            return (Console.WindowWidth, Console.WindowHeight);
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }

    /// <summary>Puts stdin's terminal in raw mode; null when stdin is not a terminal.</summary>
    public static unsafe RawTerminal? Enter()
    {
        var saved = new byte[TermiosSize];
        var raw = new byte[TermiosSize];
        fixed (byte* savedPtr = saved)
        fixed (byte* rawPtr = raw)
        {
            if (TcGetAttr(StdinFd, savedPtr) != 0)
            {
                return null;
            }

            saved.CopyTo(raw, 0);
            CfMakeRaw(rawPtr);
            if (TcSetAttr(StdinFd, TcsaNow, rawPtr) != 0)
            {
                return null;
            }
        }

        return new RawTerminal(saved);
    }

    public unsafe void Dispose()
    {
        _winch.Dispose();
        _resizes.Writer.TryComplete();
        fixed (byte* savedPtr = _saved)
        {
            _ = TcSetAttr(StdinFd, TcsaNow, savedPtr);
        }
    }

    [LibraryImport("libc", EntryPoint = "tcgetattr")]
    private static unsafe partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr")]
    private static unsafe partial int TcSetAttr(int fd, int optionalActions, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static unsafe partial void CfMakeRaw(byte* termios);
}
