namespace GitOps.Orchestrations.Engine.Payloads;

/// <summary>
/// A payload store as the engine uses it: content in, its key out; a key in, its content out,
/// checked against the key. What this process wrote or read lately is kept (<see cref="PayloadCache"/>),
/// so a run's snapshot and its checkpoint's base are fetched once per process, not once per replay.
/// </summary>
public sealed class StoredPayloads(IPayloadStore store, PayloadCache? cache = null, TimeProvider? clock = null)
{
    readonly TimeProvider clock = clock ?? TimeProvider.System;

    // When this process last wrote or touched each key it holds, so content it goes on using stays
    // younger than retention's cutoff (IPayloadSweep) without a store request on every use.
    readonly PayloadCache ensured = new(PayloadDefaults.CacheEntries);

    public IPayloadStore Store { get; } = store;

    public PayloadCache Cache { get; } = cache ?? new PayloadCache();

    /// <summary>
    /// Stores <paramref name="content"/> unless this process has, within <see cref="PayloadDefaults.TouchEvery"/>;
    /// <paramref name="kept"/> is what the cache keeps for it.
    /// </summary>
    public string Put(byte[] content, object? kept = null)
    {
        string key = PayloadKey.Of(content);
        // Called from orchestrators (a checkpoint's base), where the clock is off limits: here it only
        // decides whether to write content the store may already hold, which changes nothing the
        // orchestration does or records, on a replay or otherwise.
#pragma warning disable DURABLE0001
        DateTimeOffset now = clock.GetUtcNow();
#pragma warning restore DURABLE0001
        if (!Cache.TryGet(key, out _) || !ensured.TryGet(key, out object? at) || now - (DateTimeOffset)at! >= PayloadDefaults.TouchEvery)
        {
            Store.Put(key, content);
            ensured.Remember(key, now, 1);
        }

        Cache.Remember(key, kept ?? content, content.Length);
        return key;
    }

    /// <summary>The bytes stored under <paramref name="key"/>, or what the cache keeps for it.</summary>
    public object Get(string key, Func<byte[], object>? keep = null)
    {
        if (!PayloadKey.IsValid(key))
        {
            throw new InvalidDataException($"'{key}' is not a payload key");
        }

        if (Cache.TryGet(key, out object? kept))
        {
            return kept!;
        }

        byte[] content = PayloadKey.Verify(key, Store.Get(key));
        object value = keep?.Invoke(content) ?? content;
        Cache.Remember(key, value, content.Length);
        return value;
    }

    /// <summary>The bytes under <paramref name="key"/>, for content whose readers each make their own copy.</summary>
    public byte[] GetBytes(string key) => (byte[])Get(key);
}
