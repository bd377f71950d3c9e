using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using GitOps.Orchestrations.Core.Events;
using GitOps.Orchestrations.Engine.Idempotency;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Api.Triggers;

/// <summary>
/// The self-hosted server's queue and blob triggers: each poll reads the queues and containers
/// that workflows at the branch head listen to, in the storage account the task hub uses. A queue
/// message is deleted only after its runs were started (or found started), so a host that dies
/// mid-message leaves it to reappear for another; a message that failed <see cref="MaxDequeueCount"/>
/// times moves to <c>{queue}-poison</c>, as the Functions queue trigger does. Blobs are found by
/// listing under each prefix; the first poll of a container only marks the time, so blobs that were
/// there long before are not replayed. Several servers may poll at once: the run id of an event
/// (<see cref="IncomingEvent.RunIdFor"/>) and the dispatcher's claim start each event once.
/// </summary>
public sealed class StorageEventPoller(string connectionString, EventDispatcher dispatcher, IEffectJournal journal, TimeProvider clock, ILogger<StorageEventPoller> logger)
{
    public const int MaxDequeueCount = 5;


    /// <summary>How long a received message stays invisible to other hosts while its runs are started.</summary>
    static readonly TimeSpan Visibility = TimeSpan.FromMinutes(2);

    /// <summary>How far back the first poll of a container looks.</summary>
    static readonly TimeSpan FirstLookBack = TimeSpan.FromMinutes(1);

    readonly ConcurrentDictionary<string, bool> created = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> seenBlobs = new(StringComparer.Ordinal);

    public async Task<int> PollAsync(CancellationToken cancellationToken = default)
    {
        int handled = 0;
        IReadOnlyList<EventTriggerSpec> queues = await dispatcher.ListenersAsync(EventSourceKind.Queue, cancellationToken);
        foreach (string queue in queues.Select(t => t.Name).Distinct(StringComparer.Ordinal))
        {
            handled += await PollQueueAsync(queue, cancellationToken);
        }

        IReadOnlyList<EventTriggerSpec> blobs = await dispatcher.ListenersAsync(EventSourceKind.Blob, cancellationToken);
        foreach (var group in blobs.GroupBy(t => t.Name, StringComparer.Ordinal))
        {
            // One listing per container, under the longest prefix every trigger on it shares.
            handled += await PollContainerAsync(group.Key, CommonPrefix(group.Select(t => t.Prefix ?? string.Empty)), cancellationToken);
        }

        return handled;
    }

    async Task<int> PollQueueAsync(string name, CancellationToken cancellationToken)
    {
        var queue = new QueueClient(connectionString, name);
        if (created.TryAdd($"queue/{name}", true))
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        QueueMessage[] messages = (await queue.ReceiveMessagesAsync(maxMessages: 32, Visibility, cancellationToken)).Value;
        foreach (QueueMessage message in messages)
        {
            if (message.DequeueCount > MaxDequeueCount)
            {
                var poison = new QueueClient(connectionString, $"{name}-poison");
                await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                logger.MessagePoisoned(name, message.MessageId, MaxDequeueCount);
                continue;
            }

            await dispatcher.DispatchAsync(QueueEvent(name, message.MessageId, message.Body.ToArray(), message.InsertedOn), cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }

        return messages.Length;
    }

    async Task<int> PollContainerAsync(string name, string prefix, CancellationToken cancellationToken)
    {
        var container = new BlobContainerClient(connectionString, name);
        if (created.TryAdd($"container/{name}", true))
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        string sinceKey = $"blob/since/{name}";
        DateTimeOffset now = clock.GetUtcNow();
        if (await journal.TryGetAsync(sinceKey, cancellationToken) is not string recorded)
        {
            await journal.TryClaimAsync(sinceKey, (now - FirstLookBack).ToString("o"), cancellationToken);
            recorded = await journal.TryGetAsync(sinceKey, cancellationToken) ?? (now - FirstLookBack).ToString("o");
        }

        DateTimeOffset since = DateTimeOffset.Parse(recorded, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        int handled = 0;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (BlobItem blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix.Length > 0 ? prefix : null }, cancellationToken))
        {
            string key = $"{name}/{blob.Name}";
            string version = blob.VersionId ?? blob.Properties.ETag?.ToString() ?? string.Empty;
            listed.Add(key);
            if (blob.Properties.LastModified < since || (seenBlobs.TryGetValue(key, out string? seen) && seen == version))
            {
                continue;
            }

            await dispatcher.DispatchAsync(BlobEvent(name, blob.Name, version, blob.Properties.ContentType, blob.Properties.ContentLength, blob.Metadata), cancellationToken);
            seenBlobs[key] = version;
            handled++;
        }

        // Forget blobs that are gone, so the memory of what was seen is bounded by what is there.
        foreach (string key in seenBlobs.Keys.Where(k => k.StartsWith(name + "/", StringComparison.Ordinal) && !listed.Contains(k)))
        {
            seenBlobs.TryRemove(key, out _);
        }

        return handled;
    }

    /// <summary>
    /// A queue message as an event: its id identifies it, <c>body</c> is its JSON (or its text). The
    /// Functions queue trigger and the Azure CLI send base64 by default, so base64 of JSON reads as that JSON.
    /// </summary>
    public static IncomingEvent QueueEvent(string queue, string messageId, byte[] body, DateTimeOffset? insertedOn)
    {
        JsonElement payload = ReadPayload(body);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (insertedOn is DateTimeOffset inserted)
        {
            attributes["time"] = inserted.ToString("o");
        }

        return new IncomingEvent(EventSourceKind.Queue, queue, messageId, "message", payload, null, attributes);
    }

    /// <summary>A blob as an event: its name and version identify it, <c>body</c> describes it (name, size, content type, metadata); its content is not read.</summary>
    public static IncomingEvent BlobEvent(string container, string name, string version, string? contentType, long? size, IDictionary<string, string>? metadata)
    {
        JsonElement body = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["container"] = container,
            ["name"] = name,
            ["version"] = version,
            ["contentType"] = contentType,
            ["size"] = size,
            ["metadata"] = metadata ?? new Dictionary<string, string>(),
        });
        return new IncomingEvent(EventSourceKind.Blob, container, $"{name}@{version}", "BlobCreated", body, name);
    }

    static JsonElement ReadPayload(byte[] body)
    {
        if (TryJson(body) is JsonElement json)
        {
            return json;
        }

        string text = Encoding.UTF8.GetString(body);
        try
        {
            if (TryJson(Convert.FromBase64String(text)) is JsonElement decoded)
            {
                return decoded;
            }
        }
        catch (FormatException)
        {
            // Not base64: the text itself is the payload.
        }

        return JsonSerializer.SerializeToElement(text);
    }

    static JsonElement? TryJson(byte[] bytes)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static string CommonPrefix(IEnumerable<string> prefixes)
    {
        string? common = null;
        foreach (string prefix in prefixes)
        {
            common = common is null ? prefix : new string(common.Zip(prefix).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray());
        }

        return common ?? string.Empty;
    }
}

static partial class StorageEventLogs
{
    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Queue message {MessageId} of '{Queue}' failed {Count} times: moved to the poison queue")]
    public static partial void MessagePoisoned(this ILogger logger, string queue, string messageId, int count);
}
