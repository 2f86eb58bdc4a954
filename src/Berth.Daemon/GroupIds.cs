namespace Berth.Daemon;

/// <summary>Group name → gid from /etc/group (numeric names are taken as gids).</summary>
internal static class GroupIds
{
    public static int? Lookup(string group)
    {
        if (int.TryParse(group, out var numeric))
        {
            return numeric;
        }

        foreach (var line in File.ReadLines("/etc/group"))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && fields[0] == group && int.TryParse(fields[2], out var gid))
            {
                return gid;
            }
        }

        return null;
    }
}
