using System.Net.Sockets;

namespace GitOps.Orchestrations.Hosting.Backends;

/// <summary>The store named cannot be reached: one sentence saying what was tried and what to do.</summary>
public sealed class StoreUnreachableException(string message) : Exception(message);

/// <summary>
/// Looks for the storage account before the Durable Task backend is built. The backend's own
/// client retries for half a minute and then fails with a long aggregate exception; one TCP
/// connection to the blob endpoint tells in a few seconds whether there is anything to talk to.
/// </summary>
public static class StoreProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task EnsureReachableAsync(AzureStorageStore store, CancellationToken cancellationToken)
    {
        Uri endpoint = BlobEndpoint(store.ConnectionString);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            string why = e is SocketException socket ? socket.Message : $"no answer within {Timeout.TotalSeconds:0} s";
            bool azurite = store.ConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) || endpoint.IsLoopback;
            throw new StoreUnreachableException(azurite
                ? $"cannot reach Azurite at {endpoint.Host}:{endpoint.Port} ({why}); start it with 'npx azurite --silent --location .azurite' in another terminal, "
                    + $"or name another store with --store or {StoreSpec.EnvironmentVariable} (--store memory keeps everything in this process only)"
                : $"cannot reach the storage account at {endpoint.Host}:{endpoint.Port} ({why}); check the connection string in --store, {StoreSpec.EnvironmentVariable} or GitOps:Store, and that this machine may reach it");
        }
    }

    /// <summary>The blob endpoint a connection string names, as the Azure SDK would build it.</summary>
    public static Uri BlobEndpoint(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.Last()[1], StringComparer.OrdinalIgnoreCase);
        if (parts.TryGetValue("BlobEndpoint", out string? blob) && Uri.TryCreate(blob, UriKind.Absolute, out Uri? explicitEndpoint))
        {
            return explicitEndpoint;
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out string? development) && development.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return new Uri(parts.TryGetValue("DevelopmentStorageProxyUri", out string? proxy) ? proxy : "http://127.0.0.1:10000");
        }

        string scheme = parts.GetValueOrDefault("DefaultEndpointsProtocol") ?? "https";
        string account = parts.GetValueOrDefault("AccountName") ?? throw new StoreUnreachableException("the storage connection string names no AccountName, BlobEndpoint or UseDevelopmentStorage=true");
        return new Uri($"{scheme}://{account}.blob.{parts.GetValueOrDefault("EndpointSuffix") ?? "core.windows.net"}");
    }
}
