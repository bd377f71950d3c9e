using System.Text;
using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Payloads;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Tables;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// The payload store and what the engine writes to it: keys that are the hash of their content,
/// snapshots named by key in an orchestration's JSON, and checkpoints that carry a stored base
/// and only the nodes changed since.
/// </summary>
public sealed class PayloadStoreTests
{
    static WorkflowSnapshot Snapshot(int tasks, bool mayStore = true)
    {
        var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: big}\nspec:\n  tasks:\n");
        for (int i = 0; i < tasks; i++)
        {
            yaml.Append($"    - {{name: t{i}, uses: log, with: {{message: 'task number {i}'}}}}\n");
        }

        return WorkflowSnapshots.Load(yaml.ToString()) with { MayStoreByContent = mayStore };
    }

    // Those of Durable Task's own JsonDataConverter.
    static readonly JsonSerializerOptions DurableTaskDefaults = new() { IncludeFields = true };

    static WorkflowRunInput Input(WorkflowSnapshot snapshot) => new() { Snapshot = snapshot, Params = new Dictionary<string, string>() };

    [Fact]
    public void A_large_snapshot_is_written_as_its_key_and_read_back_from_the_store_by_another_process()
    {
        var store = new MemoryPayloadStore();
        string json = new PayloadDataConverter(new StoredPayloads(store)).Serialize(Input(Snapshot(200)))!;

        Assert.Matches("^\\{\"Snapshot\":\\{\"\\$payload\":\"sha256-[0-9a-f]{64}\",\"bytes\":[0-9]+\\}", json);
        Assert.True(json.Length < 1024, json);
        Assert.Equal(1, store.Count);

        // A fresh cache, as in another worker of the task hub: the key is all it has.
        var other = new PayloadDataConverter(new StoredPayloads(store));
        var read = (WorkflowRunInput)other.Deserialize(json, typeof(WorkflowRunInput))!;
        Assert.Equal(200, read.Snapshot.Workflow.Tasks.Count);
        Assert.Equal("t199", read.Snapshot.Workflow.Tasks[^1].Name);
        Assert.True(read.Snapshot.MayStoreByContent);
    }

    [Fact]
    public void A_reader_shares_one_snapshot_per_key_instead_of_deserializing_it_each_time()
    {
        var converter = new PayloadDataConverter(new StoredPayloads(new MemoryPayloadStore()));
        string json = converter.Serialize(Input(Snapshot(200)))!;
        var first = (WorkflowRunInput)converter.Deserialize(json, typeof(WorkflowRunInput))!;
        var second = (WorkflowRunInput)converter.Deserialize(json, typeof(WorkflowRunInput))!;
        Assert.Same(first.Snapshot, second.Snapshot);
    }

    [Theory]
    [InlineData(3, true)] // small: inline whatever the run
    [InlineData(200, false)] // large, but started by an engine whose workers read snapshots inline only
    public void A_snapshot_stays_inline_when_small_or_when_its_run_may_not_name_it(int tasks, bool mayStore)
    {
        var store = new MemoryPayloadStore();
        var converter = new PayloadDataConverter(new StoredPayloads(store));
        string json = converter.Serialize(Input(Snapshot(tasks, mayStore)))!;

        Assert.DoesNotContain("$payload", json, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
        Assert.Equal(tasks, ((WorkflowRunInput)converter.Deserialize(json, typeof(WorkflowRunInput))!).Snapshot.Workflow.Tasks.Count);

        // The default converter of Durable Task reads it as well: nothing changed for an older worker.
        Assert.Equal(tasks, JsonSerializer.Deserialize<WorkflowRunInput>(json, DurableTaskDefaults)!.Snapshot.Workflow.Tasks.Count);
    }

    [Fact]
    public void Content_that_does_not_match_its_key_is_refused_never_used()
    {
        var store = new MemoryPayloadStore();
        string json = new PayloadDataConverter(new StoredPayloads(store)).Serialize(Input(Snapshot(200)))!;
        string key = JsonDocument.Parse(json).RootElement.GetProperty("Snapshot").GetProperty("$payload").GetString()!;

        // Someone with write access to the store swaps the content under the key.
        var tampered = new TamperedStore(key, Encoding.UTF8.GetBytes(new PayloadDataConverter(new StoredPayloads(new MemoryPayloadStore()), snapshotInlineBytes: int.MaxValue).Serialize(Snapshot(201))!));
        var reader = new PayloadDataConverter(new StoredPayloads(tampered));
        var error = Assert.ThrowsAny<Exception>(() => reader.Deserialize(json, typeof(WorkflowRunInput)));
        Assert.Contains($"payload {key} does not match its content", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("sha256-ABC")]
    [InlineData("sha256-0000000000000000000000000000000000000000000000000000000000000000/x")]
    [InlineData("sha256-000000000000000000000000000000000000000000000000000000000000000\n")]
    public void A_key_from_history_that_is_not_a_hash_never_reaches_the_store(string key)
    {
        var store = new TamperedStore("unused", []);
        var reader = new PayloadDataConverter(new StoredPayloads(store));
        string json = $"{{\"Snapshot\":{{\"$payload\":{JsonSerializer.Serialize(key)},\"bytes\":1}},\"Params\":{{}}}}";

        var error = Assert.ThrowsAny<Exception>(() => reader.Deserialize(json, typeof(WorkflowRunInput)));
        Assert.Contains("is not a payload key", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public void The_cache_keeps_the_newest_within_its_entry_and_byte_bounds()
    {
        var cache = new PayloadCache(maxEntries: 3, maxBytes: 1000);
        cache.Remember("a", "A", 100);
        cache.Remember("b", "B", 100);
        cache.Remember("c", "C", 100);
        Assert.True(cache.TryGet("a", out _)); // a is now the newest
        cache.Remember("d", "D", 100);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out _));

        cache.Remember("huge", "H", 950);
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet("huge", out _));
    }

    static List<NodeStatus> Nodes(int count, int done) => [.. Enumerable.Range(0, count).Select(i => new NodeStatus
    {
        Name = $"node-{i}",
        Phase = i < done ? NodePhase.Succeeded : NodePhase.Pending,
        Message = i < done ? $"finished node {i} of the run" : null,
    })];

    [Fact]
    public void A_checkpoint_carries_every_node_while_they_fit_then_a_base_and_the_changes_since_then_a_new_base()
    {
        var payloads = new StoredPayloads(new MemoryPayloadStore());
        const int Budget = 4096;

        // Small: every node inline, as always.
        RunProgress small = new ProgressCheckpoint(payloads, null, Budget).Next(Nodes(10, 5), null, 1);
        Assert.Null(small.Base);
        Assert.Equal(10, small.Nodes.Count);

        // Large, first checkpoint: everything into a base.
        List<NodeStatus> nodes = Nodes(500, 100);
        RunProgress first = new ProgressCheckpoint(payloads, null, Budget).Next(nodes, null, 1);
        Assert.NotNull(first.Base);
        Assert.Empty(first.Nodes);
        Assert.Equal(Json(nodes), Json(first.AllNodes(payloads)));

        // Ten more nodes finish: the base stays, only they are carried.
        List<NodeStatus> later = Nodes(500, 110);
        RunProgress second = new ProgressCheckpoint(payloads, first.Base, Budget).Next(later, null, 2);
        Assert.Equal(first.Base, second.Base);
        Assert.Equal(Enumerable.Range(100, 10), second.Places!);
        Assert.Equal(Json(later), Json(second.AllNodes(payloads)));

        // Changes since the base go on being carried until they no longer fit: then a new base.
        List<NodeStatus> much = Nodes(500, 400);
        RunProgress third = new ProgressCheckpoint(payloads, second.Base, Budget).Next(much, null, 3);
        Assert.NotEqual(first.Base, third.Base);
        Assert.Empty(third.Nodes);
        Assert.Equal(Json(much), Json(third.AllNodes(payloads)));
    }

    [Fact]
    public void A_checkpoint_without_a_payload_store_carries_every_node()
    {
        RunProgress progress = new ProgressCheckpoint(null, null, 16).Next(Nodes(500, 100), null, 1);
        Assert.Null(progress.Base);
        Assert.Equal(500, progress.Nodes.Count);
    }

    [Fact]
    public void A_node_added_after_the_base_is_appended_in_its_place()
    {
        var payloads = new StoredPayloads(new MemoryPayloadStore());
        RunProgress first = new ProgressCheckpoint(payloads, null, 1024).Next(Nodes(100, 10), null, 1);
        List<NodeStatus> withHook = [.. Nodes(100, 10), new NodeStatus { Name = "hook", Phase = NodePhase.Succeeded }];
        RunProgress second = new ProgressCheckpoint(payloads, first.Base, 1024).Next(withHook, null, 2);

        Assert.Equal([100], second.Places!);
        Assert.Equal(Json(withHook), Json(second.AllNodes(payloads)));
    }

    [Fact]
    public void Every_restore_of_a_base_gets_nodes_of_its_own_however_the_process_keeps_it()
    {
        var written = new StoredPayloads(new MemoryPayloadStore());
        List<NodeStatus> nodes = Nodes(200, 50);
        RunProgress progress = new ProgressCheckpoint(written, null, 1024).Next(nodes, null, 1);
        var store = new CountingStore(written.Store);
        var reader = new StoredPayloads(store);

        IReadOnlyList<NodeStatus> first = progress.AllNodes(reader);
        first[0].Phase = NodePhase.Failed;
        first[0].Outputs["changed"] = JsonDocument.Parse("1").RootElement;
        nodes[1].Message = "changed by the run that checkpointed, after it did";
        IReadOnlyList<NodeStatus> second = progress.AllNodes(reader);

        // Every replayed episode restores the base: it must not fetch and parse it each time, nor
        // see what another episode did to the nodes it was handed.
        Assert.Equal(1, store.Reads);
        Assert.Equal(NodePhase.Succeeded, second[0].Phase);
        Assert.Empty(second[0].Outputs);
        Assert.NotSame(first[0], second[0]);
        Assert.Equal(Json(Nodes(200, 50)), Json(progress.AllNodes(written)));
    }

    [Fact]
    public async Task The_memory_store_forgets_content_untouched_since_the_cutoff_unless_a_run_names_it()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new MemoryPayloadStore(clock);
        string[] keys = [.. Enumerable.Range(0, 3).Select(i => PayloadKey.Of([(byte)i]))];
        for (int i = 0; i < 3; i++)
        {
            store.Put(keys[i], new byte[] { (byte)i });
        }

        // Forty days on, the first is used again by a new run (touched), the second is named by a run in flight.
        clock.Set(clock.GetUtcNow().AddDays(40));
        store.Put(keys[0], new byte[] { 0 });
        int removed = await store.SweepAsync(clock.GetUtcNow().AddDays(-31), new HashSet<string> { keys[1] });

        Assert.Equal(1, removed);
        Assert.Equal([0], store.Get(keys[0]));
        Assert.Equal([1], store.Get(keys[1]));
        Assert.Throws<PayloadMissingException>(() => store.Get(keys[2]));
    }

    [Fact]
    public void Content_a_process_goes_on_using_is_touched_in_the_store_once_a_day_not_on_every_use()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new CountingStore(new MemoryPayloadStore(clock));
        var payloads = new StoredPayloads(store, clock: clock);
        byte[] content = Encoding.UTF8.GetBytes("the same snapshot, started again and again");

        for (int i = 0; i < 10; i++)
        {
            payloads.Put(content);
        }

        Assert.Equal(1, store.Writes);

        // A day later the next run of it touches it, so retention sees it in use.
        clock.Set(clock.GetUtcNow() + PayloadDefaults.TouchEvery);
        payloads.Put(content);
        payloads.Put(content);
        Assert.Equal(2, store.Writes);
    }

    static string Json(IEnumerable<NodeStatus> nodes) => JsonSerializer.Serialize(nodes);

    sealed class CountingStore(IPayloadStore inner) : IPayloadStore
    {
        public int Reads { get; private set; }

        public int Writes { get; private set; }

        public void Put(string name, ReadOnlyMemory<byte> value)
        {
            Writes++;
            inner.Put(name, value);
        }

        public byte[] Get(string name)
        {
            Reads++;
            return inner.Get(name);
        }
    }

    sealed class TamperedStore(string key, byte[] content) : IPayloadStore
    {
        public int Reads { get; private set; }

        public void Put(string name, ReadOnlyMemory<byte> value) => throw new InvalidOperationException("read only");

        public byte[] Get(string name)
        {
            Reads++;
            return name == key ? content : throw new PayloadMissingException(name);
        }
    }
}

/// <summary>The blob store on Azurite, as Azure Storage serves it: write once, read back, missing is missing.</summary>
public sealed class BlobPayloadStoreTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();

    public Task InitializeAsync() => azurite.InitializeAsync();

    public Task DisposeAsync() => azurite.DisposeAsync();

    [Fact]
    public async Task Content_is_written_once_under_its_key_and_read_back()
    {
        BlobPayloadStore store = await BlobPayloadStore.CreateAsync(azurite.ConnectionString, "PayloadHub1");
        Assert.Equal("payloadhub1-payloads", store.Container);
        byte[] content = Encoding.UTF8.GetBytes("{\"nodes\":[]}");
        string key = PayloadKey.Of(content);

        store.Put(key, content);
        store.Put(key, content); // the same key again is the same content: no error, no overwrite
        Assert.Equal(content, store.Get(key));

        // Another process of the task hub, with its own client, reads it too.
        BlobPayloadStore other = await BlobPayloadStore.CreateAsync(azurite.ConnectionString, "PayloadHub1");
        Assert.Equal(content, other.Get(key));
        Assert.Throws<PayloadMissingException>(() => other.Get(PayloadKey.Of([1, 2, 3])));
        Assert.Throws<ArgumentException>(() => other.Get("../payloadhub1-payloads/x"));
    }

    [Fact]
    public async Task A_sweep_deletes_blobs_untouched_since_the_cutoff_and_keeps_those_named_or_touched()
    {
        BlobPayloadStore store = await BlobPayloadStore.CreateAsync(azurite.ConnectionString, "PayloadHub2");
        byte[][] contents = [.. Enumerable.Range(0, 4).Select(i => Encoding.UTF8.GetBytes($"payload {i}"))];
        string[] keys = [.. contents.Select(c => PayloadKey.Of(c))];
        for (int i = 0; i < 4; i++)
        {
            store.Put(keys[i], contents[i]);
        }

        // The store's clock decides ages: everything so far is older than this cutoff, except what
        // is touched after it (a new run of the same snapshot puts it again).
        // Last-Modified has whole seconds: the cutoff is a second past every write so far, and the
        // touch comes a second past the cutoff.
        DateTimeOffset cutoff = DateTimeOffset.UtcNow.AddSeconds(1);
        while (DateTimeOffset.UtcNow < cutoff.AddSeconds(1))
        {
            await Task.Delay(100);
        }

        store.Put(keys[0], contents[0]);

        int removed = await store.SweepAsync(cutoff, new HashSet<string> { keys[1] });

        Assert.Equal(2, removed);
        Assert.Equal(contents[0], store.Get(keys[0]));
        Assert.Equal(contents[1], store.Get(keys[1]));
        Assert.Throws<PayloadMissingException>(() => store.Get(keys[2]));
        Assert.Throws<PayloadMissingException>(() => store.Get(keys[3]));
        Assert.Equal(0, await store.SweepAsync(cutoff, new HashSet<string> { keys[1] }));
    }
}
