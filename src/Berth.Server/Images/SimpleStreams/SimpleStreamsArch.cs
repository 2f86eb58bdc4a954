namespace Berth.Server.Images.SimpleStreams;

/// <summary>Simplestreams names architectures the Debian way (amd64); LXD names them the kernel way (x86_64).</summary>
public static class SimpleStreamsArch
{
    public static string FromLxd(string arch) => arch switch
    {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "i686" => "i386",
        "armv7l" => "armhf",
        "armv6l" => "armel",
        "ppc64le" => "ppc64el",
        _ => arch,
    };
}
