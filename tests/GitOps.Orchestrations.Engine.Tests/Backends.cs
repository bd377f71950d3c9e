using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>A running engine on one backend, plus the HTTP server its workflows call.</summary>
public abstract class EngineBackend : IAsyncLifetime
{
    public EngineHost Engine { get; private set; } = null!;

    public TestHttpServer Http { get; } = new();

    public abstract string Name { get; }

    /// <summary>Short, so tests of a lock whose holder ended without letting go need not wait a minute.</summary>
    public static readonly TimeSpan LockCheck = TimeSpan.FromSeconds(2);

    protected abstract Task<EngineHostOptions> OptionsAsync();

    /// <summary>The options the engine started with: its store and task hub.</summary>
    public EngineHostOptions Options { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        await Http.InitializeAsync();
        Options = await OptionsAsync();
        Engine = await EngineHost.StartAsync(Options);
    }

    public virtual async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        await Http.DisposeAsync();
    }

    /// <summary>Loads the YAML (all its documents form the library), starts the first workflow, and waits for the end.</summary>
    public async Task<RunStatus> RunAsync(string yaml, Dictionary<string, string>? parameters = null, Func<string, RunStatus, Task>? onChange = null, string? runId = null)
    {
        WorkflowSnapshot snapshot = Snapshot(yaml.Replace("{{http}}", Http.BaseUrl, StringComparison.Ordinal));
        string id = await Engine.Runs.StartAsync(snapshot, parameters, "tester", runId ?? $"{snapshot.Workflow.Name}-{Guid.NewGuid():N}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await Engine.Runs.WatchAsync(id, status => onChange?.Invoke(id, status) ?? Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
    }

    public static WorkflowSnapshot Snapshot(string yaml) => WorkflowSnapshots.Load(yaml);
}

public sealed class MemoryBackend : EngineBackend
{
    public override string Name => "memory";

    protected override Task<EngineHostOptions> OptionsAsync() => Task.FromResult(new EngineHostOptions { Store = new MemoryStore(), LockCheck = LockCheck });
}

public sealed class AzuriteBackend : EngineBackend
{
    readonly AzuriteFixture azurite = new();

    public override string Name => "azurite";

    public override async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await azurite.DisposeAsync();
    }

    protected override Task<EngineHostOptions> OptionsAsync() => Task.FromResult(new EngineHostOptions
    {
        Store = new AzureStorageStore(azurite.ConnectionString),
        TaskHub = $"dag{Guid.NewGuid():N}"[..20],
        AzureStorage = new AzureStorageTuning(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), PartitionCount: 4),
        LockCheck = LockCheck,
    });
}
