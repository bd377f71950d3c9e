using System.CommandLine;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Server;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops serve</c>: the self-hosted server. Flags say where (URLs, store, repository); the
/// <c>GitOps</c> configuration section (a <c>--config</c> JSON file, then <c>GitOps__*</c>
/// environment variables) holds the API keys, the JWT settings and the trigger periods.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        Option<string> urls = new("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        Option<string?> store = new("--store") { Description = $"azurite, an Azure Storage connection string, or memory (lost on restart); or GitOps:Store in --config, or {StoreSpec.EnvironmentVariable}" };
        Option<string> taskHub = new("--task-hub") { Description = "Task hub name on Azure Storage; servers sharing it share the work", DefaultValueFactory = _ => "gitops" };
        Option<string> repo = new("--repo") { Description = "Git repository (path or URL) holding the workflows", DefaultValueFactory = _ => "." };
        Option<string?> branch = new("--branch") { Description = "Branch runs start from (default: HEAD)" };
        Option<string> folder = new("--path") { Description = "Folder of workflows inside --repo", DefaultValueFactory = _ => "workflows" };
        Option<string?> config = new("--config") { Description = "JSON file with a GitOps section (API keys, JWT, trigger periods)" };
        Option<bool> verbose = new("--verbose", "-v") { Description = "Show engine logs" };
        Command command = new("serve", "Serve the HTTP API with the engine in-process") { urls, store, taskHub, repo, branch, folder, config, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServerOptions options;
            try
            {
                options = new ServerOptions
                {
                    Urls = parse.GetValue(urls)!,
                    Engine = new EngineHostOptions { Store = StoreSpec.Resolve(parse.GetValue(store)), TaskHub = parse.GetValue(taskHub)! }.WithEnvironment(),
                    Workflows = new WorkflowRepositoryOptions { Repository = parse.GetValue(repo)!, Branch = parse.GetValue(branch), Folder = parse.GetValue(folder)! },
                }.WithSettings(parse.GetValue(config), storeFromCommandLine: parse.GetValue(store) is not null);
                if (parse.GetValue(store) is null && Environment.GetEnvironmentVariable(StoreSpec.EnvironmentVariable) is null && !options.StoreConfigured)
                {
                    // A server that forgets every run, gate and audit entry on restart must be asked for, never a default.
                    Console.Error.WriteLine("error: gitops serve needs a store that outlives it: --store azurite (start Azurite first), --store \"<Azure Storage connection string>\", "
                        + $"or set {StoreSpec.EnvironmentVariable} or GitOps:Store; --store memory keeps everything in this process only, and loses it on restart");
                    return ExitCodes.Usage;
                }
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            using ILoggerFactory loggerFactory = LoggerFactory.Create(logging =>
            {
                logging.AddStandardErrorConsole().SetMinimumLevel(LogLevel.Information);
                logging.AddFilter("Microsoft", parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning);
                logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
                logging.AddFilter("DurableTask", parse.GetValue(verbose) ? LogLevel.Warning : LogLevel.Error);
                logging.AddFilter("GitOps.Orchestrations.Engine", parse.GetValue(verbose) ? LogLevel.Information : LogLevel.Warning);
            });

            if (!options.Engine.Store.IsDurable)
            {
                Console.Error.WriteLine("warning: --store memory: runs, gates, audit entries and pipeline state live in this process only and are lost when it stops (/healthz and GET /api/server say \"durable\": false)");
            }

            await using GitOpsServer server = await GitOpsServer.StartAsync(options, loggerFactory, cancellationToken);
            Console.Out.WriteLine($"gitops serve: listening on {string.Join(", ", server.Addresses)} ({options.Engine.Store.Describe()}, task hub {options.Engine.TaskHub}, {options.ApiKeys.Count} API key(s))");
            await server.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Succeeded;
        });
        return command;
    }
}
