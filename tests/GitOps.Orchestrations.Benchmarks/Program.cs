using System.Diagnostics;
using System.Globalization;
using System.Text;
using GitOps.Orchestrations.Benchmarks;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Client;

// Usage: dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks [-- --overhead] [--repeat 5] [--warmup 8] [--memory-only] [--checkpoint-every N]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --size [--layers 50] [--fan 5000] [--memory-only]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --workers 2 [--items 600] [--burn-ms 20]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --load [--clients 8] [--minutes 2]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --soak MINUTES [--clients 4] [--plot docs/soak-memory.png]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --delivery [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --rollouts [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --expressions [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --failover [--runs 100]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --sync-fanout [--width 200] [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --dashboard [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --events [--repeat 20]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --language [--repeat 5]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --throughput [--chain 50] [--width 200]
//        dotnet run -c Release --project tests/GitOps.Orchestrations.Benchmarks -- --starts [--runs 400]
int repeat = args.SkipWhile(a => a != "--repeat").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(3);
if (args.Contains("--delivery"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; median of {repeat}");
    await DeliveryBenchmark.RunAsync(repeat);
    return 0;
}

if (args.Contains("--expressions"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    await ExpressionBenchmark.RunAsync(repeat);
    return 0;
}

if (args.Contains("--failover"))
{
    int runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(100);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; two gitops serve processes on Azurite, one killed");
    await FailoverBenchmark.RunAsync(runs);
    return 0;
}

if (args.Contains("--sync-fanout"))
{
    int width = args.SkipWhile(a => a != "--width").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(200);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; embedded backend; median over {repeat} rounds");
    await SyncFanOutBenchmark.RunAsync(width, repeat);
    return 0;
}

if (args.Contains("--dashboard"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; embedded backend, headless Chromium; median over {repeat} rounds after a warm-up round");
    await DashboardBenchmark.RunAsync(repeat);
    return 0;
}

if (args.Contains("--events"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; embedded backend, one server over loopback HTTP; median over {repeat} rounds after a warm-up round");
    await EventBenchmark.RunAsync(repeat);
    return 0;
}

if (args.Contains("--starts"))
{
    int starts = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(400);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; one gitops serve process, {16} concurrent clients over loopback HTTP");
    await StartsBenchmark.RunAsync(starts);
    return 0;
}

if (args.Contains("--throughput"))
{
    int length = args.SkipWhile(a => a != "--chain").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(50);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; npm Azurite; each rate over 10 s");
    int width = args.SkipWhile(a => a != "--width").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(200);
    await ThroughputBenchmark.RunAsync(length, width);
    return 0;
}

if (args.Contains("--worker-process"))
{
    // A worker process of --workers, started by the benchmark itself.
    string hub = args.SkipWhile(a => a != "--hub").Skip(1).First();
    long iterations = args.SkipWhile(a => a != "--iterations").Skip(1).Select(a => long.Parse(a, CultureInfo.InvariantCulture)).First();
    int? start = args.SkipWhile(a => a != "--start").Skip(1).Select(a => (int?)int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault();
    return await WorkersBenchmark.ServeAsync(hub, iterations, start);
}

if (args.Contains("--workers"))
{
    int workers = args.SkipWhile(a => a != "--workers").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(2);
    int items = args.SkipWhile(a => a != "--items").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(600);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; npm Azurite; worker processes pinned one to a core");
    int burn = args.SkipWhile(a => a != "--burn-ms").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(20);
    await WorkersBenchmark.RunAsync(workers, items, burn);
    return 0;
}

if (args.Contains("--load") || args.Contains("--soak"))
{
    bool soak = args.Contains("--soak");
    double minutes = args.SkipWhile(a => a != (soak ? "--soak" : "--minutes")).Skip(1).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(soak ? 60 : 2);
    int clients = args.SkipWhile(a => a != "--clients").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(soak ? 4 : 8);
    string? plot = soak ? args.SkipWhile(a => a != "--plot").Skip(1).FirstOrDefault() ?? "docs/soak-memory.png" : null;
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; one gitops serve process on npm Azurite, {clients} clients over loopback HTTP");
    await LoadBenchmark.RunAsync(TimeSpan.FromMinutes(minutes), clients, TimeSpan.FromSeconds(soak ? 10 : 1), plot);
    return 0;
}

if (args.Contains("--size"))
{
    int layers = args.SkipWhile(a => a != "--layers").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(50);
    int fan = args.SkipWhile(a => a != "--fan").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(5000);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; one run at a time, the host's default checkpoints");
    await SizeBenchmark.RunAsync(layers, fan, args.Contains("--memory-only"));
    return 0;
}

if (args.Contains("--language"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; embedded backend; median over {repeat} rounds after a warm-up round");
    await LanguageBenchmark.RunAsync(repeat);
    return 0;
}

if (args.Contains("--rollouts"))
{
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; embedded backend; median over {repeat} rounds");
    await RolloutBenchmark.RunAsync(repeat);
    return 0;
}

// --overhead, or no mode at all: the engine against hand-written Durable Task, side by side.
int warmup = args.SkipWhile(a => a != "--warmup").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(8);
bool memoryOnly = args.Contains("--memory-only");
int? checkpointEvery = args.SkipWhile(a => a != "--checkpoint-every").Skip(1).Select(a => (int?)int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault();
const int ChainLength = 200, FanOutWidth = 1000;

var registry = new TaskTypeRegistry([.. BuiltInTaskTypes.Create(), new NoOpTaskType()]);
var rows = new List<string>();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; median of {repeat}");

await using (var memory = await Start(new MemoryStore()))
{
    await Measure("memory", memory, warmup);
}

if (!memoryOnly)
{
    var azurite = new AzuriteFixture();
    await azurite.InitializeAsync();
    try
    {
        await using var azure = await Start(new AzureStorageStore(azurite.ConnectionString));
        // Azure Storage runs are slow enough that JIT warm-up is a small share of them: one round will do.
        await Measure($"Azure Storage (Azurite, {azurite.How.Split(' ')[0]})", azure, Math.Min(warmup, 1));
    }
    finally
    {
        await azurite.DisposeAsync();
    }
}

Console.WriteLine();
Console.WriteLine("| backend | shape | engine s | raw s | engine tasks/s | raw tasks/s | engine/raw |");
Console.WriteLine("|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return 0;

async Task<EngineHost> Start(StoreSpec store) => await EngineHost.StartAsync(new EngineHostOptions
{
    Store = store,
    TaskHub = $"bench{Guid.NewGuid():N}"[..16],
    TaskTypes = registry,
    CheckpointEvery = checkpointEvery,
    ConfigureTasks = tasks => tasks
        .AddActivity<NoOpActivity>()
        .AddOrchestrator<RawChainOrchestrator>()
        .AddOrchestrator<RawFanOutOrchestrator>(),
});

async Task Measure(string backend, EngineHost host, int rounds)
{
    WorkflowSnapshot chain = Snapshot(ChainYaml(ChainLength));
    WorkflowSnapshot fan = Snapshot(FanYaml(FanOutWidth));

    // Warm up JIT (tiered compilation needs a few rounds), connections and queues on the real shapes first.
    for (int i = 0; i < rounds; i++)
    {
        await TimeEngine(host, chain);
        await TimeRaw(host, nameof(RawChainOrchestrator), ChainLength);
        await TimeEngine(host, fan);
        await TimeRaw(host, nameof(RawFanOutOrchestrator), FanOutWidth);
    }

    foreach (var (shape, snapshot, raw, count) in new[]
    {
        ($"chain of {ChainLength}", chain, nameof(RawChainOrchestrator), ChainLength),
        ($"fan-out of {FanOutWidth}", fan, nameof(RawFanOutOrchestrator), FanOutWidth),
    })
    {
        var engineTimes = new List<double>();
        var rawTimes = new List<double>();
        for (int i = 0; i < repeat; i++)
        {
            // Alternate the order so neither side always runs on a warmer process.
            if (i % 2 == 0)
            {
                engineTimes.Add(await TimeEngine(host, snapshot));
                rawTimes.Add(await TimeRaw(host, raw, count));
            }
            else
            {
                rawTimes.Add(await TimeRaw(host, raw, count));
                engineTimes.Add(await TimeEngine(host, snapshot));
            }
        }

        double engine = Median(engineTimes), baseline = Median(rawTimes);
        Console.Out.Flush();
        Console.WriteLine($"{backend,-28} {shape,-16} engine {string.Join(" ", engineTimes.Select(F))} s; raw {string.Join(" ", rawTimes.Select(F))} s");
        rows.Add($"| {backend} | {shape} | {F(engine)} | {F(baseline)} | {count / engine:0} | {count / baseline:0} | {engine / baseline:0.00} |");
    }
}

async Task<double> TimeEngine(EngineHost host, WorkflowSnapshot snapshot)
{
    var watch = Stopwatch.StartNew();
    string id = await host.Runs.StartAsync(snapshot, null, "bench");
    OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
    watch.Stop();
    WorkflowRunResult result = done.ReadOutputAs<WorkflowRunResult>()!;
    if (result.Phase != WorkflowPhase.Succeeded)
    {
        throw new InvalidOperationException($"engine run {id} ended {result.Phase}: {result.Message}");
    }

    return watch.Elapsed.TotalSeconds;
}

async Task<double> TimeRaw(EngineHost host, string orchestrator, int count)
{
    var watch = Stopwatch.StartNew();
    string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, count);
    OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
    watch.Stop();
    if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
    {
        throw new InvalidOperationException($"raw run {id} ended {done.RuntimeStatus}");
    }

    return watch.Elapsed.TotalSeconds;
}

WorkflowSnapshot Snapshot(string yaml) => BenchSnapshot.Load(yaml, registry);

static string ChainYaml(int length)
{
    var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: chain}\nspec:\n  tasks:\n    - {name: t0, uses: noop}\n");
    for (int i = 1; i < length; i++)
    {
        yaml.Append(CultureInfo.InvariantCulture, $"    - {{name: t{i}, uses: noop, depends: t{i - 1}}}\n");
    }

    return yaml.ToString();
}

static string FanYaml(int width) => SizeBenchmark.FanYaml(width);

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static string F(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture);
