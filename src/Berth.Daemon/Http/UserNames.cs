using System.Collections.Concurrent;

namespace Berth.Daemon.Http;

/// <summary>uid → user name from /etc/passwd, cached; unknown uids are shown as numbers.</summary>
internal static class UserNames
{
    private static readonly ConcurrentDictionary<uint, string> Cache = new();

    public static string Of(uint uid) => Cache.GetOrAdd(uid, Lookup);

    private static string Lookup(uint uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var fields = line.Split(':');
                if (fields.Length > 2 && uint.TryParse(fields[2], out var id) && id == uid)
                {
                    return fields[0];
                }
            }
        }
        catch (IOException)
        {
        }

        return uid.ToString();
    }
}
