using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// How many chunks of a wide fan-out run at once, a host's choice. In memory, where a worker takes
/// a thousand activities at once, the calls in flight show it: all three chunks of 300 slow calls
/// overlap without a bound, and no more than two with one.
/// </summary>
public sealed class FanOutChunkBoundTests : IAsyncLifetime
{
    readonly TestHttpServer http = new();

    public Task InitializeAsync() => http.InitializeAsync();

    public Task DisposeAsync() => http.DisposeAsync();

    async Task<(RunStatus Run, int Most)> RunAsync(int? chunksAtOnce)
    {
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions { Store = new MemoryStore(), ChunksAtOnce = chunksAtOnce });
        string key = $"chunks-{Guid.NewGuid():N}";
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load($$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: chunked-fan}
            spec:
              tasks:
                - name: fan
                  uses: http
                  withSequence: {count: 300}
                  with: {url: "{{{http.BaseUrl}}}/concurrent/{{{key}}}?ms=300"}
            """);
        string id = await host.Runs.StartAsync(snapshot, null, "tester");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunStatus run = await host.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        return (run, http.InFlight[key].Most);
    }

    [Fact]
    public async Task A_bound_of_two_runs_two_chunks_side_by_side_and_the_third_after()
    {
        (RunStatus run, int most) = await RunAsync(FanOutDefaults.ChunksAtOnce);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(300, run.Nodes.Single().Items!.Succeeded);
        Assert.InRange(most, NodeRunner.ChunkSize + 1, FanOutDefaults.ChunksAtOnce * NodeRunner.ChunkSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task A_bound_below_one_runs_one_chunk_at_a_time_rather_than_none(int chunksAtOnce)
    {
        (RunStatus run, int most) = await RunAsync(chunksAtOnce);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(300, run.Nodes.Single().Items!.Succeeded);
        Assert.InRange(most, 1, NodeRunner.ChunkSize);
    }

    [Fact]
    public async Task The_embedded_default_runs_every_chunk_at_once()
    {
        (RunStatus run, int most) = await RunAsync(null);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.True(most > FanOutDefaults.ChunksAtOnce * NodeRunner.ChunkSize, $"all three chunks should overlap in memory, but at most {most} calls did");
    }
}
