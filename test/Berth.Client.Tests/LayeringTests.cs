namespace Berth.Client.Tests;

public class LayeringTests
{
    [Fact]
    public void BerthClient_ReferencesOnlyBerthApiAndTheBaseClassLibrary()
    {
        var references = typeof(BerthClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Berth.Api", references);
        Assert.All(references, name => Assert.True(name == "Berth.Api" || name.StartsWith("System", StringComparison.Ordinal), $"Berth.Client references {name}"));
    }
}
