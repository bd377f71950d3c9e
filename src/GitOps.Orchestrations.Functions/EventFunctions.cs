using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;
using GitOps.Orchestrations.Api.Triggers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Functions;

/// <summary>
/// Events that start runs (docs/events.md), on the Functions host's own triggers: the webhook route,
/// and the native Queue and Blob triggers on the queue and container the app settings
/// <c>GITOPS_EVENTS_QUEUE</c> and <c>GITOPS_EVENTS_CONTAINER</c> name. Each hands the event to the
/// same dispatcher the self-hosted server uses, so ids, claims and params agree across hosts.
/// </summary>
public sealed class EventFunctions(ApiFactory factory)
{
    /// <summary>Anonymous at the Functions level: a hook proves itself by its signature, which senders such as GitHub cannot combine with a function key header.</summary>
    [Function("ReceiveHook")]
    public async Task<IActionResult> ReceiveHook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hooks/{name}")] HttpRequest req, string name, [DurableClient] DurableTaskClient client) =>
        new ResultAction(await factory.Api(client).ReceiveHook(req.HttpContext, name));

    /// <summary>A message on the events queue. The host retries a message that throws and moves it to the poison queue after five tries, as the server's poller does.</summary>
    [Function("QueueEvent")]
    public Task QueueEvent([QueueTrigger("%GITOPS_EVENTS_QUEUE%", Connection = "AzureWebJobsStorage")] QueueMessage message, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        factory.Events(client).DispatchAsync(StorageEventPoller.QueueEvent(QueueName, message.MessageId, message.Body.ToArray(), message.InsertedOn), cancellationToken);

    [Function("BlobEvent")]
    public async Task BlobEvent([BlobTrigger("%GITOPS_EVENTS_CONTAINER%/{name}", Connection = "AzureWebJobsStorage")] BlobClient blob, string name, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        BlobProperties properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        string version = properties.VersionId ?? properties.ETag.ToString();
        await factory.Events(client).DispatchAsync(StorageEventPoller.BlobEvent(blob.BlobContainerName, name, version, properties.ContentType, properties.ContentLength, properties.Metadata), cancellationToken);
    }

    // The trigger binds "%GITOPS_EVENTS_QUEUE%"; the message does not say which queue it came from.
    static string QueueName => Environment.GetEnvironmentVariable("GITOPS_EVENTS_QUEUE") ?? "gitops-events";
}
