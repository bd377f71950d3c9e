using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// The engine's Durable Task data converter: Durable Task's own JSON, except that a large workflow
/// snapshot goes to the payload store and the history keeps its key. A 5,000-node run's input then
/// stays a few kilobytes, under Azure Storage's large-message threshold, and each process reads the
/// snapshot once instead of deserializing it on every replay. The worker and every client of a task
/// hub use it with the same store.
/// </summary>
public sealed class PayloadDataConverter : DataConverter
{
    readonly JsonDataConverter json;

    public PayloadDataConverter(StoredPayloads payloads, int snapshotInlineBytes = PayloadDefaults.SnapshotInlineBytes)
    {
        // Durable Task's defaults (those of its JsonDataConverter), which stored content keeps too.
        var inner = new JsonSerializerOptions { IncludeFields = true };
        var options = new JsonSerializerOptions(inner);
        options.Converters.Add(new StoredSnapshotConverter(payloads, snapshotInlineBytes, inner));
        json = new JsonDataConverter(options);
    }

    public override string? Serialize(object? value) => json.Serialize(value);

    public override object? Deserialize(string? data, Type targetType) => json.Deserialize(data, targetType);
}
