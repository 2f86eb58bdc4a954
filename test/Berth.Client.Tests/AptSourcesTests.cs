using Berth.Client.Builders;

namespace Berth.Client.Tests;

public sealed class AptSourcesTests
{
    [Fact]
    public void Deb822_SkipsDisabledAndSourceStanzas()
    {
        const string text = """
            Types: deb-src
            URIs: http://src.example/debian
            Suites: bookworm
            Components: main

            Types: deb
            # a comment
            URIs: http://mirror.example/debian/ http://second.example/debian
            Suites: bookworm bookworm-updates
            Components: main contrib
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb
            Enabled: no
            URIs: http://off.example/debian
            Suites: trixie
            Components: main
            """;

        var entries = AptSources.ParseDeb822(text).ToList();

        Assert.Equal(["http://mirror.example/debian", "http://second.example/debian"], entries.Select(e => e.Uri));
        Assert.Equal(["bookworm", "bookworm-updates"], entries[0].Suites);
    }

    [Fact]
    public void OneLine_SkipsOptionsAndComments()
    {
        const string text = """
            # deb http://commented.example/debian bookworm main
            deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main non-free
            deb-src http://src.example/debian bookworm main
            deb http://security.example/debian-security bookworm-security main
            """;

        var entries = AptSources.ParseOneLine(text).ToList();

        Assert.Equal(2, entries.Count);
        Assert.Equal(new AptSource("http://mirror.example/debian", ["bookworm"], ["main", "non-free"]).Uri, entries[0].Uri);
        Assert.Equal(["main", "non-free"], entries[0].Components);
        Assert.Equal(["bookworm-security"], entries[1].Suites);
    }

    [Fact]
    public void MirrorFor_ReadsListBeforeSourcesDirectory()
    {
        var root = Directory.CreateTempSubdirectory("apt-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "sources.list.d"));
            File.WriteAllText(Path.Combine(root.FullName, "sources.list.d", "debian.sources"), "Types: deb\nURIs: http://b.example/debian\nSuites: bookworm\nComponents: main\n");
            File.WriteAllText(Path.Combine(root.FullName, "sources.list.d", "other.list.disabled"), "deb http://c.example/debian bookworm main\n");

            Assert.Equal("http://b.example/debian", AptSources.MirrorFor("bookworm", root.FullName));
            Assert.Null(AptSources.MirrorFor("trixie", root.FullName));

            File.WriteAllText(Path.Combine(root.FullName, "sources.list"), "deb http://a.example/debian bookworm main\n");
            Assert.Equal("http://a.example/debian", AptSources.MirrorFor("bookworm", root.FullName));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
