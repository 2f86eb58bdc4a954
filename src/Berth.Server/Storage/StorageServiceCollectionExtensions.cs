using Berth.Server.Storage.Drivers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Berth.Server.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The storage drivers (looked up by name) and the pool service over them.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStorageDriver, DirDriver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStorageDriver, BtrfsDriver>());
        services.TryAddSingleton<StoragePoolService>();
        services.TryAddSingleton<StorageVolumeService>();
        return services;
    }
}
