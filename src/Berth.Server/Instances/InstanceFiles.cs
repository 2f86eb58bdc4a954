using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>
/// Files inside instances (LXD's <c>/files</c> API): a running container's files as its processes see them
/// (through <c>/proc/&lt;init&gt;/root</c>, mounts included), a stopped one's from its volume. Every path is
/// resolved inside that root (see <see cref="ContainerRoot"/>).
/// </summary>
public sealed class InstanceFiles(InstanceService instances, IInstanceRuntime runtime)
{
    public InstanceFileAccess Open(string project, string name)
    {
        var instance = instances.Get(project, name);
        var pid = instance.StatusCode is StatusCode.Running or StatusCode.Frozen ? runtime.InitPid(name) : 0;
        var running = pid > 0;
        var root = ContainerRoot.Open(running ? $"/proc/{pid}/root" : Path.Combine(instances.VolumePath(project, name, null), "rootfs"));
        try
        {
            var idmap = IdmapSet.ForInstance(instance.ExpandedConfig);
            var top = root.Stat("/") ?? throw new ApiException(500, "The instance's root filesystem is missing");

            // The root directory belongs to container root: if the host sees it as container root's host id, ids
            // here are host ids to translate; otherwise (privileged, or an unshifted volume) they are the same.
            var shifted = idmap.ToHost(0, uid: true) is { } hostRoot && hostRoot != 0 && top.Uid == hostRoot;
            return new InstanceFileAccess(root, shifted ? idmap : null, running && shifted);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }
}

/// <summary>One instance's files for one request, with ids as the container sees them.</summary>
public sealed class InstanceFileAccess : IDisposable
{
    private const int DefaultFileMode = 0x1A4; // 0644
    private const int DefaultDirectoryMode = 0x1ED; // 0755
    private readonly ContainerRoot _root;
    private readonly IdmapSet? _idmap;
    private readonly FsIds _creator;

    internal InstanceFileAccess(ContainerRoot root, IdmapSet? idmap, bool idmappedMount)
    {
        _root = root;
        _idmap = idmap;
        _creator = idmappedMount && idmap is not null
            ? new FsIds((int)(idmap.ToHost(0, true) ?? 0), (int)(idmap.ToHost(0, false) ?? 0))
            : FsIds.None;
    }

    /// <summary>The entry with container uid/gid, or null when missing.</summary>
    public ContainerFileInfo? Stat(string path)
    {
        var info = _root.Stat(path);
        return info is null || _idmap is null ? info
            : info with { Uid = (int)_idmap.ToContainer(info.Uid, true), Gid = (int)_idmap.ToContainer(info.Gid, false) };
    }

    public IReadOnlyList<string> List(string path) => Guard(() => _root.List(path));

    public string ReadLink(string path) => Guard(() => _root.ReadLink(path));

    public FileStream OpenRead(string path) => Guard(() => new FileStream(_root.OpenRead(path), FileAccess.Read, 0));

    /// <summary>Writes <paramref name="content"/> to a regular file (created if missing), streaming.</summary>
    public async Task WriteFileAsync(string path, Stream content, bool append, int uid, int gid, int mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var created = false;
        var handle = Guard(() => _root.OpenWrite(path, append, mode >= 0 ? mode : DefaultFileMode, _creator, out created));
        await using (var file = new FileStream(handle, FileAccess.Write, 0))
        {
            await content.CopyToAsync(file, 128 * 1024, cancellationToken).ConfigureAwait(false);
        }

        ApplyPermissions(path, created, uid, gid, mode);
    }

    public void CreateDirectory(string path, int uid, int gid, int mode)
    {
        var created = Guard(() => _root.CreateDirectory(path, mode >= 0 ? mode : DefaultDirectoryMode, _creator));
        ApplyPermissions(path, created, uid, gid, mode);
    }

    public void CreateSymlink(string path, string target, int uid, int gid)
    {
        Guard(() =>
        {
            _root.CreateSymlink(path, target, _creator);
            return 0;
        });
        ApplyPermissions(path, true, uid, gid, -1);
    }

    public void Delete(string path) => Guard(() =>
    {
        _root.Delete(path);
        return 0;
    });

    public void Dispose() => _root.Dispose();

    /// <summary>New entries belong to container root unless told otherwise; existing ones change only when told.</summary>
    private void ApplyPermissions(string path, bool created, int uid, int gid, int mode)
    {
        if (created || uid >= 0 || gid >= 0)
        {
            var hostUid = HostId(uid >= 0 ? uid : created ? 0 : -1, true);
            var hostGid = HostId(gid >= 0 ? gid : created ? 0 : -1, false);
            _root.SetOwner(path, hostUid, hostGid);
        }

        if (mode >= 0)
        {
            _root.SetMode(path, mode);
        }
    }

    private int HostId(int id, bool uid)
    {
        if (id < 0 || _idmap is null)
        {
            return id;
        }

        return (int)(_idmap.ToHost(id, uid) ?? throw new ApiException(400, $"{(uid ? "uid" : "gid")} {id} is not mapped in the instance"));
    }

    /// <summary>Filesystem errors as LXD reports them: missing is 404, wrong kind or bad request 400.</summary>
    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (FileNotFoundException)
        {
            throw new ApiException(404, "Not found");
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(400, e.Message);
        }
        catch (ErrnoException e) when (e.Errno is 20 or 21 or 39 or 40)
        {
            throw new ApiException(400, e.Message);
        }
        catch (ErrnoException e) when (e.Errno is 17)
        {
            throw new ApiException(409, e.Message);
        }
    }
}
