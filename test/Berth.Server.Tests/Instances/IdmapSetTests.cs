using Berth.Server.Instances;

namespace Berth.Server.Tests.Instances;

public class IdmapSetTests
{
    private const string Json = """[{"Isuid":true,"Isgid":false,"Hostid":1000000,"Nsid":0,"Maprange":65536},{"Isuid":false,"Isgid":true,"Hostid":2000000,"Nsid":0,"Maprange":65536}]""";

    [Fact]
    public void ToHost_MapsUidsAndGidsSeparately()
    {
        var set = IdmapSet.Parse(Json)!;

        Assert.Equal(1001000, set.ToHost(1000, uid: true));
        Assert.Equal(2001000, set.ToHost(1000, uid: false));
        Assert.Null(set.ToHost(70000, uid: true));
    }

    [Fact]
    public void ToContainer_UnmappedHostId_IsOverflow()
    {
        var set = IdmapSet.Parse(Json)!;

        Assert.Equal(1000, set.ToContainer(1001000, uid: true));
        Assert.Equal(IdmapSet.OverflowId, set.ToContainer(0, uid: true));
    }

    [Fact]
    public void ForInstance_PrefersVolatileKeys()
    {
        var set = IdmapSet.ForInstance(new Dictionary<string, string> { ["volatile.idmap.next"] = Json });

        Assert.Equal(1000000, set.ToHost(0, uid: true));
        Assert.Null(IdmapSet.Parse("not json"));
    }
}
