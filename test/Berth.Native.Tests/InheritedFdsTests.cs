namespace Berth.Native.Tests;

public sealed class InheritedFdsTests
{
    [Fact]
    public void MarkCloseOnExec_MarksAnInheritableDescriptor_AndLeavesStdioAlone()
    {
        using var file = File.OpenRead("/proc/self/stat");
        var fd = (int)file.SafeFileHandle.DangerousGetHandle();
        Assert.True(fd > 2);
        Assert.True(InheritedFds.SetCloseOnExec(fd, false)); // as a descriptor inherited from flock(1) is
        Assert.False(InheritedFds.IsCloseOnExec(fd));
        var stdin = InheritedFds.IsCloseOnExec(0);

        Assert.True(InheritedFds.MarkCloseOnExec() >= 1);

        Assert.True(InheritedFds.IsCloseOnExec(fd));
        Assert.Equal(stdin, InheritedFds.IsCloseOnExec(0));
    }
}
