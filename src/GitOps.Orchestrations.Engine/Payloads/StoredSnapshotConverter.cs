using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// Writes a workflow snapshot larger than <c>inlineBytes</c>, when it
/// <see cref="WorkflowSnapshot.MayStoreByContent"/>, to the payload store and only its key into the
/// JSON (<c>{"$payload": "sha256-…", "bytes": n}</c>); reads either form, so a run written inline
/// still reads. Every reader of a key gets the same snapshot: snapshots are immutable.
/// </summary>
public sealed class StoredSnapshotConverter(StoredPayloads payloads, int inlineBytes, JsonSerializerOptions inner) : JsonConverter<WorkflowSnapshot>
{
    const string KeyProperty = "$payload";

    // The key of each snapshot this process stored or read, so a run that continues as new or
    // starts fan-out chunks names it again without serializing and hashing it each time.
    readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowSnapshot, Stored> known = [];

    sealed record Stored(string Key, int Bytes);

    public override void Write(Utf8JsonWriter writer, WorkflowSnapshot value, JsonSerializerOptions options)
    {
        if (!known.TryGetValue(value, out Stored? stored))
        {
            byte[] content = JsonSerializer.SerializeToUtf8Bytes(value, inner);
            if (content.Length <= inlineBytes || !value.MayStoreByContent)
            {
                writer.WriteRawValue(content, skipInputValidation: true);
                return;
            }

            stored = new Stored(payloads.Put(content, kept: value), content.Length);
            known.AddOrUpdate(value, stored);
        }

        writer.WriteStartObject();
        writer.WriteString(KeyProperty, stored.Key);
        writer.WriteNumber("bytes", stored.Bytes);
        writer.WriteEndObject();
    }

    public override WorkflowSnapshot? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (!IsReference(reader))
        {
            return JsonSerializer.Deserialize<WorkflowSnapshot>(ref reader, inner);
        }

        string? key = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string property = reader.GetString()!;
            reader.Read();
            if (property == KeyProperty && reader.TokenType == JsonTokenType.String)
            {
                key = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        if (key is null)
        {
            throw new JsonException($"'{KeyProperty}' names no payload");
        }

        // Stored once, so stored again: a run that named its snapshot keeps naming it.
        var snapshot = (WorkflowSnapshot)payloads.Get(key, content =>
        {
            WorkflowSnapshot read = (JsonSerializer.Deserialize<WorkflowSnapshot>(content, inner) ?? throw new JsonException($"payload {key} is null")) with { MayStoreByContent = true };
            known.AddOrUpdate(read, new Stored(key, content.Length));
            return read;
        });
        return snapshot;
    }

    static bool IsReference(Utf8JsonReader probe) =>
        probe.TokenType == JsonTokenType.StartObject && probe.Read() && probe.TokenType == JsonTokenType.PropertyName && probe.ValueTextEquals(KeyProperty);
}
