using Berth.Api;
using Berth.Server.Config;

namespace Berth.Server.Tests.Config;

public class LxdValidationTests
{
    private static readonly Dictionary<string, Dictionary<string, string>> NoDevices = [];

    private static ApiException Update(string key, string value) =>
        Assert.Throws<ApiException>(() => LxdValidation.InstanceUpdate(new Dictionary<string, string> { [key] = value }, NoDevices));

    [Theory]
    [InlineData("limits.memory", "12XB", "Invalid config: Invalid value: 12XB")]
    [InlineData("limits.memory", "banana", "Invalid config: Invalid value: banana")]
    [InlineData("limits.cpu", "abc", "Invalid config: Invalid CPU limit syntax")]
    [InlineData("limits.cpu.allowance", "200", "Invalid config: Invalid allowance: 200")]
    [InlineData("boot.autostart", "maybe", "Invalid config: Invalid value for a boolean \"maybe\"")]
    [InlineData("nope.key", "x", "Invalid config: Unknown configuration key: nope.key")]
    public void InstanceUpdate_BadConfig_LxdText(string key, string value, string expected)
    {
        var e = Update(key, value);

        Assert.Equal((400, expected), (e.Status, e.Message));
    }

    [Fact]
    public void Profile_BadConfig_ValidatorTextAlone()
    {
        var e = Assert.Throws<ApiException>(() => LxdValidation.Profile(new Dictionary<string, string> { ["limits.memory"] = "12XB" }, NoDevices, 500));

        Assert.Equal((500, "Invalid value: 12XB"), (e.Status, e.Message));
    }

    [Fact]
    public void InstanceUpdate_BadDeviceOption_LxdText()
    {
        var devices = new Dictionary<string, Dictionary<string, string>> { ["d"] = new() { ["type"] = "disk", ["source"] = "/tmp", ["path"] = "/mnt", ["bogus"] = "1" } };

        var e = Assert.Throws<ApiException>(() => LxdValidation.InstanceUpdate(new Dictionary<string, string>(), devices));

        Assert.Equal("Invalid devices: Device validation failed for \"d\": Invalid device option \"bogus\"", e.Message);
    }

    [Fact]
    public void InstanceUpdate_GoodInput_Passes()
    {
        LxdValidation.InstanceUpdate(new Dictionary<string, string> { ["limits.memory"] = "128MB", ["limits.cpu"] = "1" }, NoDevices);
    }
}
