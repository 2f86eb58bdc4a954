using System.Text.Json;
using Berth.Api;
using Berth.Server.Filtering;

namespace Berth.Server.Tests.Filtering;

public class FilterExpressionTests
{
    private static readonly JsonElement Instance = JsonDocument.Parse(
        """{"name":"c1","status":"Running","config":{"image.os":"busybox","limits.cpu":"2"},"ephemeral":false}""").RootElement;

    [Theory]
    [InlineData("", true)]
    [InlineData("name eq c1", true)]
    [InlineData("name eq c2", false)]
    [InlineData("name ne c2", true)]
    [InlineData("not name eq c1", false)]
    [InlineData("config.image.os eq busybox", true)]
    [InlineData("config.image.os eq busybox and status eq Stopped", false)]
    [InlineData("name eq c2 or status eq Running", true)]
    [InlineData("ephemeral eq false", true)]
    [InlineData("status eq 'Running'", true)]
    [InlineData("config.missing eq x", false)]
    public void Matches_EvaluatesLikeLxd(string filter, bool expected)
    {
        Assert.Equal(expected, FilterExpression.Parse(filter).Matches(Instance));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("name eq")]
    [InlineData("name gt 3")]
    [InlineData("name eq c1 and")]
    [InlineData("name eq c1 xor status eq Running")]
    [InlineData("name eq 'c1")]
    public void Parse_Malformed_Throws400(string filter)
    {
        var e = Assert.Throws<ApiException>(() => FilterExpression.Parse(filter));
        Assert.Equal(400, e.Status);
    }
}
