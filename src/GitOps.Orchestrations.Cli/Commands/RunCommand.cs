using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting.Plugins;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops run WORKFLOW</c>: resolves the workflow from Git, runs it in-process on the chosen
/// backend, shows its nodes live, and exits 0 only if it Succeeded. With <c>--run-id</c> of a run
/// that already exists on a durable store, it picks that run up again instead of starting another.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        Argument<string> workflow = new("workflow") { Description = "A workflow file, or a workflow name inside --repo" };
        Option<string?> repo = new("--repo") { Description = "Git repository (local path or URL) to read the workflow from" };
        Option<string?> revision = new("--revision") { Description = "Branch, tag or commit SHA (default: HEAD)" };
        Option<string> folder = new("--path") { Description = "Folder of workflows inside --repo", DefaultValueFactory = _ => "workflows" };
        Option<string[]> parameters = new("--param", "-p") { Description = "A param as name=value (repeatable)" };
        Option<string?> store = new("--store") { Description = $"memory (default), azurite, or an Azure Storage connection string (or set {StoreSpec.EnvironmentVariable})" };
        Option<string> taskHub = new("--task-hub") { Description = "Task hub name on Azure Storage", DefaultValueFactory = _ => "gitops" };
        Option<string[]> approve = new("--approve") { Description = "Approve this approval node in advance (repeatable)" };
        Option<string?> runId = new("--run-id") { Description = "Run id; an existing run with this id is resumed, not started again" };
        Option<string?> output = new("--output", "-o") { Description = "json: print the final run status as JSON" };
        Option<string[]> clusters = new("--cluster") { Description = "A cluster workflows may name, as NAME=KUBECONFIG (repeatable); 'default' is your kubeconfig unless given" };
        Option<string> person = new("--as") { Description = "Who decides gates from this terminal, as the gates' approvers list names people (default: your OS user)", DefaultValueFactory = _ => Environment.UserName };
        Option<string[]> groups = new("--group") { Description = "A group the --as person belongs to, for gates that list group:NAME (repeatable)" };
        Option<bool> verbose = new("--verbose", "-v") { Description = "Show engine logs" };
        Option<string?> plugins = new("--plugins") { Description = "Folder of custom task types (NAME/NAME.dll, built with GitOps.Orchestrations.Sdk)" };
        Command command = new("run", "Run a workflow in-process and show its progress")
        {
            workflow, repo, revision, folder, parameters, store, taskHub, approve, person, groups, runId, output, clusters, plugins, verbose,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            string? format = parse.GetValue(output);
            if (format is not (null or "json"))
            {
                Console.Error.WriteLine($"error: unknown --output '{format}' (use json)");
                return ExitCodes.Usage;
            }

            Dictionary<string, string> given;
            StoreSpec backend;
            ClusterRegistry clusterRegistry;
            TaskTypeRegistry taskTypes;
            try
            {
                taskTypes = TaskTypePlugins.Registry(parse.GetValue(plugins));
                given = ParseParams(parse.GetValue(parameters) ?? []);
                backend = StoreSpec.Resolve(parse.GetValue(store));
                clusterRegistry = ClusterRegistry.ForLocalUser(ParseClusters(parse.GetValue(clusters) ?? []));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            ResolvedWorkflow resolved = WorkflowResolver.Resolve(parse.GetValue(workflow)!, parse.GetValue(repo), parse.GetValue(revision), parse.GetValue(folder)!, taskTypes);
            if (!resolved.Succeeded)
            {
                foreach (var diagnostic in resolved.Diagnostics)
                {
                    Console.Error.WriteLine(diagnostic);
                }

                if (resolved.Error is not null)
                {
                    Console.Error.WriteLine($"error: {resolved.Error}");
                }

                return ExitCodes.Usage;
            }

            using ILoggerFactory loggerFactory = LoggerFactory.Create(logging =>
            {
                logging.AddStandardErrorConsole().SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning);
                logging.AddFilter("Microsoft", parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Error);
                logging.AddFilter("DurableTask", parse.GetValue(verbose) ? LogLevel.Warning : LogLevel.Error);
            });

            EngineHost started;
            try
            {
                started = await EngineHost.StartAsync(new EngineHostOptions
                {
                    Store = backend,
                    TaskHub = parse.GetValue(taskHub)!,
                    LoggerFactory = loggerFactory,
                    Delivery = new DeliveryOptions { Clusters = clusterRegistry },
                    TaskTypes = taskTypes,
                }.WithEnvironment(), cancellationToken);
            }
            catch (StoreUnreachableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            await using EngineHost host = started;

            string id;
            try
            {
                // A local run has one person at the keyboard who both starts it and decides its gates, so it is
                // started as "USER (local)": separation of duties is enforced by the server, which has identities.
                id = await host.Runs.StartAsync(resolved.Snapshot!, given, $"{Environment.UserName} (local)", parse.GetValue(runId), cancellationToken: cancellationToken);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            // The person at the keyboard decides as --as (and --group): the gate checks that identity
            // against its approvers exactly as it checks a caller of the server.
            var decider = new LocalDecider(parse.GetValue(person)!, parse.GetValue(groups) ?? []);
            var preApproved = new HashSet<string>(parse.GetValue(approve) ?? [], StringComparer.Ordinal);
            foreach (string node in preApproved)
            {
                // Events raised before the gate waits are buffered by the orchestration, so approving early is safe.
                await host.Runs.DecideAsync(id, node, decider.Decide("approve", "approved on the command line (--approve)"), cancellationToken);
            }

            bool json = format == "json";
            var view = new ProgressView(json ? Console.Error : Console.Out, interactive: !Console.IsOutputRedirected && !json);
            view.Header(resolved.Snapshot!, id, backend);
            var asked = new HashSet<string>(preApproved, StringComparer.Ordinal);
            var hint = new GateHint(parse.GetValue(workflow)!, id, backend, parse.GetValue(store));
            RunStatus final;
            using Interruption interruption = Interruption.Listen(cancellationToken);
            try
            {
                final = await Watch(interruption.Token);
            }
            catch (OperationCanceledException) when (interruption.Requested)
            {
                // Ctrl+C or SIGTERM: this process stops watching; where the run lives decides what happens to it.
                Console.Error.WriteLine(backend.IsDurable
                    ? $"interrupted: run {id} goes on in {backend.Describe()}; follow it again with: gitops run {parse.GetValue(workflow)} --store ... --run-id {id}"
                    : $"interrupted: run {id} was on the embedded store, so it ends with this process");
                return ExitCodes.Interrupted;
            }

            Task<RunStatus> Watch(CancellationToken watching) => host.Runs.WatchAsync(id, async status =>
            {
                view.Update(status);
                foreach (string refused in view.Refusals(status, decider))
                {
                    // An approval given in advance that the gate refused leaves it waiting: ask, or say where it can be decided.
                    asked.Remove(refused);
                }

                foreach (PendingGate gate in status.Gates.Where(g => asked.Add(g.Node)))
                {
                    ApprovalDecision? decision = view.AskApproval(gate, decider, hint);
                    if (decision is not null)
                    {
                        await host.Runs.DecideAsync(id, gate.Node, decision, watching);
                    }
                }
            }, cancellationToken: watching);

            view.Finish(final);
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(final, CliJson.Output));
            }

            return final.Phase == WorkflowPhase.Succeeded ? ExitCodes.Succeeded : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>NAME=KUBECONFIG pairs: the clusters this run's workflows may name, with the person's own kubeconfig files.</summary>
    internal static Dictionary<string, ClusterSpec> ParseClusters(IEnumerable<string> values) =>
        ParseParams(values).ToDictionary(
            pair => pair.Key,
            pair => File.Exists(pair.Value) ? new ClusterSpec { Kubeconfig = Path.GetFullPath(pair.Value) } : throw new ArgumentException($"--cluster {pair.Key}: no kubeconfig file '{pair.Value}'"),
            StringComparer.Ordinal);

    internal static Dictionary<string, string> ParseParams(IEnumerable<string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"param '{value}' must be written name=value");
            }

            result[value[..equals]] = value[(equals + 1)..];
        }

        return result;
    }
}
