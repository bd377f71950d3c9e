using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// More workers, more throughput: a fan-out of CPU-bound tasks (each computes for about 20 ms, or <c>--burn-ms</c>) on
/// one Azure Storage task hub, served by one worker process and then by two, each process pinned to
/// a core of its own with <c>taskset</c>, as two machines would each bring their own. The first
/// process also starts the run and times it; the second only works. Azurite runs unpinned beside them.
/// </summary>
public static class WorkersBenchmark
{
    public static async Task RunAsync(int workers, int items, int burnMilliseconds)
    {
        long iterations = Calibrate(TimeSpan.FromMilliseconds(burnMilliseconds));
        Console.WriteLine($"burn: {iterations} SHA-256 rounds of 1 KiB take {burnMilliseconds} ms on an idle core");
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var rows = new List<string>();
        try
        {
            double? one = null;
            foreach (int count in new[] { 1, workers }.Distinct())
            {
                string hub = $"workers{count}{Guid.NewGuid():N}"[..16];
                var helpers = new List<Process>();
                try
                {
                    for (int core = 1; core < count; core++)
                    {
                        helpers.Add(await StartWorkerAsync(core, azurite.ConnectionString, hub, iterations, start: null));
                    }

                    using Process timer = await StartWorkerAsync(0, azurite.ConnectionString, hub, iterations, start: items);
                    string? line;
                    double seconds = double.NaN;
                    while ((line = await timer.StandardOutput.ReadLineAsync()) is not null)
                    {
                        if (line.StartsWith("elapsed ", StringComparison.Ordinal))
                        {
                            seconds = double.Parse(line["elapsed ".Length..], CultureInfo.InvariantCulture);
                        }
                    }

                    await timer.WaitForExitAsync();
                    if (double.IsNaN(seconds))
                    {
                        throw new InvalidOperationException($"the timing worker ended without a time: {await timer.StandardError.ReadToEndAsync()}");
                    }

                    one ??= seconds;
                    Console.WriteLine($"{count} worker(s): {items} tasks in {seconds:0.00} s");
                    rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {count} | {burnMilliseconds} ms | {items} | {seconds:0.00} | {items / seconds:0.0} | {one.Value / seconds:0.00} |"));
                }
                finally
                {
                    foreach (Process helper in helpers)
                    {
                        helper.Kill(entireProcessTree: true);
                        await helper.WaitForExitAsync();
                        helper.Dispose();
                    }
                }
            }
        }
        finally
        {
            await azurite.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine("| worker processes (one core each) | CPU per task | tasks | s | tasks/s | against one worker |");
        Console.WriteLine("|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
    }

    /// <summary>Starts this benchmark as a worker process on <paramref name="core"/>, and returns once it is serving.</summary>
    static async Task<Process> StartWorkerAsync(int core, string store, string hub, long iterations, int? start)
    {
        var info = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])["-c", (core % Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture), "dotnet", typeof(WorkersBenchmark).Assembly.Location, "--worker-process", "--hub", hub, "--iterations", iterations.ToString(CultureInfo.InvariantCulture)])
        {
            info.ArgumentList.Add(arg);
        }

        if (start is int items)
        {
            info.ArgumentList.Add("--start");
            info.ArgumentList.Add(items.ToString(CultureInfo.InvariantCulture));
        }

        // Not on the command line, where ps shows it.
        info.Environment[StoreSpec.EnvironmentVariable] = store;
        var process = Process.Start(info)!;
        if (start is null)
        {
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null && line != "serving")
            {
            }

            if (line is null)
            {
                throw new InvalidOperationException($"a worker process ended before serving: {await process.StandardError.ReadToEndAsync()}");
            }
        }

        return process;
    }

    /// <summary>
    /// The worker process: serves the hub with the burn task type until killed; with <c>--start N</c>
    /// it also starts a fan-out of N burn tasks, prints <c>elapsed SECONDS</c> when it ends, and exits.
    /// </summary>
    public static async Task<int> ServeAsync(string hub, long iterations, int? start)
    {
        var registry = new TaskTypeRegistry([.. BuiltInTaskTypes.Create(), new BurnTaskType()]);
        BurnActivity.Iterations = iterations;
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions
        {
            Store = StoreSpec.Resolve(null),
            TaskHub = hub,
            TaskTypes = registry,
            ConfigureTasks = tasks => tasks.AddActivity<BurnActivity>(),
        });
        Console.WriteLine("serving");
        if (start is not int items)
        {
            await Task.Delay(Timeout.Infinite);
            return 0;
        }

        // The other workers are serving already, and activities go through the hub's one work-item
        // queue, which every worker reads: nothing to wait for before starting.
        string yaml = $"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: burn}}\nspec:\n  tasks:\n    - {{name: burn, uses: burn, withSequence: {{count: {items}}}}}\n";
        WorkflowSnapshot snapshot = BenchSnapshot.Load(yaml, registry);
        var watch = Stopwatch.StartNew();
        string id = await host.Runs.StartAsync(snapshot, null, "bench");
        OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        watch.Stop();
        WorkflowRunResult result = done.ReadOutputAs<WorkflowRunResult>()!;
        if (result.Phase != WorkflowPhase.Succeeded)
        {
            await Console.Error.WriteLineAsync($"run {id} ended {result.Phase}: {result.Message}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"elapsed {watch.Elapsed.TotalSeconds:0.000}"));
        return 0;
    }

    /// <summary>How many rounds of <see cref="BurnActivity.Round"/> take <paramref name="target"/> here, the best of five tries.</summary>
    static long Calibrate(TimeSpan target)
    {
        long best = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            long rounds = 0;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < target)
            {
                BurnActivity.Round();
                rounds++;
            }

            best = Math.Max(best, rounds);
        }

        return best;
    }
}

/// <summary><c>uses: burn</c>: one call of <see cref="BurnActivity"/>.</summary>
public sealed class BurnTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("burn", new Dictionary<string, FieldSpec>());

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        await context.CallActivityAsync<int>(nameof(BurnActivity), step.Item ?? 0);
        return StepResult.Succeeded();
    }
}

/// <summary>Computes for a fixed amount of work (about 20 ms on an idle core): CPU, not waiting.</summary>
public sealed class BurnActivity : TaskActivity<int, int>
{
    static readonly byte[] Block = new byte[1024];

    public static long Iterations { get; set; } = 1;

    public static void Round() => SHA256.HashData(Block);

    public override Task<int> RunAsync(TaskActivityContext context, int input)
    {
        for (long i = 0; i < Iterations; i++)
        {
            Round();
        }

        return Task.FromResult(input);
    }
}
