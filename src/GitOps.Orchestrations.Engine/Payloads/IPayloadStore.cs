namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// Where the large parts of an orchestration's state live instead of its history: immutable
/// content under the key of its hash (<see cref="PayloadKey"/>). Written once, read by any worker of
/// the task hub, never changed, so a replay that reads it reads what the first execution wrote.
/// Synchronous, because Durable Task serializes inputs synchronously; both calls are rare (a
/// process remembers what it has written and read).
/// </summary>
public interface IPayloadStore
{
    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>; storing it again is harmless.</summary>
    void Put(string key, ReadOnlyMemory<byte> content);

    /// <summary>The content stored under <paramref name="key"/>; a missing key is a <see cref="PayloadMissingException"/>.</summary>
    byte[] Get(string key);
}

/// <summary>A key some orchestration state names, with no content behind it in the store.</summary>
public sealed class PayloadMissingException(string key) : Exception($"payload {key} is not in the payload store");
