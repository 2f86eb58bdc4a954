using Berth.Api;
using Berth.Server.Instances;

namespace Berth.Server.Storage;

/// <summary>
/// The pool's volume list as LXD 5.0 answers <c>GET /1.0/storage-pools/&lt;p&gt;/volumes</c>: each volume followed by
/// its snapshots, named <c>&lt;volume&gt;/&lt;snapshot&gt;</c> with the parent's type (lxc shows them as
/// <c>custom (snapshot)</c> / <c>container (snapshot)</c>), their URLs under <c>…/snapshots/</c>.
/// </summary>
public sealed partial class StorageVolumeService
{
    public IReadOnlyList<StorageVolume> ListWithSnapshots(string pool, string project, string? type)
    {
        var result = new List<StorageVolume>();
        foreach (var volume in List(pool, project, type))
        {
            result.Add(volume);
            if (volume.Type == "custom")
            {
                result.AddRange(Snapshots(pool, project, volume.Name).Select(s => new StorageVolume
                {
                    Name = volume.Name + "/" + s.Name,
                    Type = "custom",
                    Config = s.Config,
                    Description = s.Description,
                    ContentType = volume.ContentType,
                }));
            }
            else if (volume.Type == "container")
            {
                result.AddRange(InstanceVolumeSnapshots(pool, project, volume.Name).Select(s => new StorageVolume
                {
                    Name = volume.Name + "/" + s.Name,
                    Type = "container",
                    Config = s.Config,
                    Description = s.Description,
                    UsedBy = [InstanceService.Url(volume.Name) + "/snapshots/" + Uri.EscapeDataString(s.Name) + ProjectSuffix(project)],
                }));
            }
        }

        return result;
    }

    /// <summary>A volume's URL, or a snapshot's (<c>…/volumes/&lt;type&gt;/&lt;volume&gt;/snapshots/&lt;snapshot&gt;</c>) for a <c>volume/snapshot</c> name.</summary>
    public static string ListedUrl(string pool, StorageVolume volume, string project)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var slash = volume.Name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Url(pool, volume.Type, volume.Name, project);
        }

        var parent = Url(pool, volume.Type, volume.Name[..slash], "default") + "/snapshots/" + Uri.EscapeDataString(volume.Name[(slash + 1)..]);
        return project == "default" ? parent : parent + "?project=" + Uri.EscapeDataString(project);
    }
}
