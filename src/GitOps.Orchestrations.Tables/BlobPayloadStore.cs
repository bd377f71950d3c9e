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
public sealed class BlobPayloadStore : IPayloadStore, IPayloadSweep
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
            // Already there: the same key is the same content. Touched, so retention sees it in use.
            container.GetBlobClient(Name(key)).SetMetadata(new Dictionary<string, string> { ["touched"] = "1" });
        }
    }

    public async Task<int> SweepAsync(DateTimeOffset cutoff, IReadOnlySet<string> keep, CancellationToken cancellationToken = default)
    {
        int removed = 0;
        await foreach (BlobItem blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            if (!PayloadKey.IsValid(blob.Name) || keep.Contains(blob.Name) || blob.Properties.LastModified is not DateTimeOffset modified || modified >= cutoff)
            {
                continue;
            }

            try
            {
                // Only if nobody touched it since it was listed: a run that started meanwhile keeps it.
                await container.GetBlobClient(blob.Name).DeleteAsync(conditions: new BlobRequestConditions { IfUnmodifiedSince = cutoff }, cancellationToken: cancellationToken);
                removed++;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone already (another host swept it), or touched since it was listed.
            }
        }

        return removed;
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
