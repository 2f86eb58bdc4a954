namespace Berth.Server.Profiles;

/// <summary>Who uses a profile (instances); the instances subsystem provides the real answer.</summary>
public interface IProfileUsers
{
    IReadOnlyList<string> UsersOf(string project, string profile);

    /// <summary>Points users of <paramref name="oldName"/> at <paramref name="newName"/> inside a rename.</summary>
    void Rename(Database.IStateTransaction tx, string project, string oldName, string newName);

    /// <summary>After a profile changed: running users get the new limits.</summary>
    Task ProfileUpdatedAsync(string project, string profile, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After a profile changed: running users get its NIC changes hot-plugged (<paramref name="previous"/> is the profile before).</summary>
    Task ProfileDevicesChangedAsync(string project, string profile, Api.ProfilePut previous, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>No instances exist yet, so no profile has users.</summary>
internal sealed class NoProfileUsers : IProfileUsers
{
    public IReadOnlyList<string> UsersOf(string project, string profile) => [];

    public void Rename(Database.IStateTransaction tx, string project, string oldName, string newName)
    {
    }
}
