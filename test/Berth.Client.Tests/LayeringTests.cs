namespace Berth.Client.Tests;

public class LayeringTests
{
    [Fact]
    public void BerthClient_ReferencesOnlyBerthApiAndTheBaseClassLibrary()
    {
        var references = typeof(BerthClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Berth.Api", references);
        // The base class library is what ships in the runtime's own directory (System.*, Microsoft.Win32.*...).
        var runtime = global::System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        Assert.All(references, name => Assert.True(name == "Berth.Api" || File.Exists(Path.Combine(runtime, name + ".dll")), $"Berth.Client references {name}"));
    }
}
