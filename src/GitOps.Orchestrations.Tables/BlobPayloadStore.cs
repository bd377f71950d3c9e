using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GitOps.Orchestrations.Engine.Payloads;

namespace GitOps.Orchestrations.Tables;

/// <summary>
/// The payload store of a task hub on Azure Storage: one blob per key in the container
/// <c>{taskhub}-payloads</c> of the task hub's own account, written once and never overwritten.
/// Reads retry longer than the SDK's default, since a replay that cannot read its snapshot cannot go on.
/// </summary>
public sealed class BlobPayloadStore : IPayloadStore
{
    readonly BlobContainerClient container;

    BlobPayloadStore(BlobContainerClient container) => this.container = container;

    public string Container => container.Name;

    public static async Task<BlobPayloadStore> CreateAsync(string connectionString, string taskHub, CancellationToken cancellationToken = default)
    {
        var container = new BlobContainerClient(connectionString, ContainerName(taskHub), Options());
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return new BlobPayloadStore(container);
    }

    public static async Task<BlobPayloadStore> CreateAsync(Uri blobEndpoint, TokenCredential credential, string taskHub, CancellationToken cancellationToken = default)
    {
        var container = new BlobContainerClient(new Uri(blobEndpoint, ContainerName(taskHub)), credential, Options());
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return new BlobPayloadStore(container);
    }

    /// <summary>Task hub names are letters and digits (Durable Task's rule), so this is a valid container name.</summary>
    public static string ContainerName(string taskHub) => $"{taskHub.ToLowerInvariant()}-payloads";

    public void Put(string key, ReadOnlyMemory<byte> content)
    {
        try
        {
            container.GetBlobClient(Name(key)).Upload(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already there: the same key is the same content.
        }
    }

    public byte[] Get(string key)
    {
        try
        {
            return container.GetBlobClient(Name(key)).DownloadContent().Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new PayloadMissingException(key);
        }
    }

    static string Name(string key) => PayloadKey.IsValid(key) ? key : throw new ArgumentException($"'{key}' is not a payload key", nameof(key));

    static BlobClientOptions Options()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 8;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(15);
        return options;
    }
}
