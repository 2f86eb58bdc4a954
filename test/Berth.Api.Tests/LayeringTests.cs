namespace Berth.Api.Tests;

public class LayeringTests
{
    [Fact]
    public void BerthApi_ReferencesOnlyTheBaseClassLibrary()
    {
        var references = typeof(ApiException).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", $"Berth.Api references {name}"));
    }
}
