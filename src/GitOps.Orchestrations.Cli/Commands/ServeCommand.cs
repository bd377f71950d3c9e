using System.CommandLine;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Server;
using GitOps.Orchestrations.Server.Authentication;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops serve</c>: the self-hosted server. Every setting comes from the <c>GitOps</c> section of
/// a <c>--config</c> JSON file, overridden by the environment, overridden by the flags given
/// (<see cref="ServerSettings"/>); the API keys from the same file or a <c>--keys-file</c> of their own.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The configuration <c>gitops serve</c> and <c>gitops keys</c> use when none is named: in the current folder, and ignored by Git.</summary>
    public const string DefaultConfig = "serve.json";

    public static Command Create()
    {
        // No flag has a default of its own: a flag not given leaves the setting to the environment or the file.
        Option<string?> urls = new("--urls") { Description = "Where to listen (default http://127.0.0.1:8080)" };
        Option<string?> store = new("--store") { Description = $"azurite, an Azure Storage connection string, or memory (lost on restart); or {StoreSpec.EnvironmentVariable}, or Store in --config" };
        Option<string?> taskHub = new("--task-hub") { Description = "Task hub name on Azure Storage; servers sharing it share the work (default gitops)" };
        Option<string?> repo = new("--repo") { Description = "Git repository (path or URL) holding the workflows (default: the current folder)" };
        Option<string?> branch = new("--branch") { Description = "Branch runs start from (default: HEAD)" };
        Option<string?> folder = new("--path") { Description = "Folder of workflows inside --repo (default workflows)" };
        Option<string?> config = new("--config") { Description = $"JSON file with a GitOps section (docs/server.md); default: {DefaultConfig} when it exists" };
        Option<string?> keysFile = new("--keys-file") { Description = "JSON file holding the API keys (GitOps:ApiKeys), read again when it changes; default: the --config file" };
        Option<bool> verbose = new("--verbose", "-v") { Description = "Show engine logs" };
        Option<bool> printConfig = new("--print-config") { Description = "Print the settings the server would run with (secrets shown only as set), and exit" };
        Option<string?> plugins = new("--plugins") { Description = "Folder of custom task types (NAME/NAME.dll, built with GitOps.Orchestrations.Sdk); docs/tasks.md" };
        Command command = new("serve", "Serve the HTTP API with the engine in-process") { urls, store, taskHub, repo, branch, folder, config, keysFile, plugins, verbose, printConfig };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServerOptions options;
            string configFile = parse.GetValue(config) ?? DefaultConfig;
            IssuedKey? firstKey = null;
            try
            {
                var flags = new Dictionary<string, string?>
                {
                    ["Urls"] = parse.GetValue(urls),
                    ["Store"] = parse.GetValue(store),
                    ["TaskHub"] = parse.GetValue(taskHub),
                    ["Repository"] = parse.GetValue(repo),
                    ["Branch"] = parse.GetValue(branch),
                    ["Path"] = parse.GetValue(folder),
                    ["KeysFile"] = parse.GetValue(keysFile),
                    ["Plugins"] = parse.GetValue(plugins),
                };
                options = ServerOptions.Read(File.Exists(configFile) ? configFile : null, flags);
                options = options with { KeysFile = options.KeysFile ?? configFile };
                if (parse.GetValue(printConfig))
                {
                    Console.Out.WriteLine(EffectiveConfiguration.Describe(options));
                    return ExitCodes.Succeeded;
                }

                if (!options.StoreConfigured)
                {
                    // A server that forgets every run, gate and audit entry on restart must be asked for, never a default.
                    Console.Error.WriteLine("error: gitops serve needs a store that outlives it: --store azurite (start Azurite first), --store \"<Azure Storage connection string>\", "
                        + $"or set {StoreSpec.EnvironmentVariable} or Store in --config; --store memory keeps everything in this process only, and loses it on restart");
                    return ExitCodes.Usage;
                }

                if (options.ApiKeys.Count == 0 && options.Jwt.SigningKey is null)
                {
                    // A first start: without a key every /api call is 401, so make one for an admin, show it
                    // once, and keep only its hash, in the file the next start reads (once the server is up,
                    // so that a start that fails does not store a key nobody was shown).
                    if (!ApiKeyFile.CanWrite(options.KeysFile!))
                    {
                        // A keys file mounted read-only (a Kubernetes Secret): a key made here would be lost, and differ per replica.
                        Console.Error.WriteLine($"error: no API keys in {options.KeysFile}, and it cannot be written to keep a first one; make keys with "
                            + "gitops keys add NAME --role approver --config keys.json and put that file where the server reads it (deploy/README.md), or configure Jwt");
                        return ExitCodes.Usage;
                    }

                    firstKey = ApiKeyFile.Issue("admin", "approver", []);
                    options = options with { ApiKeys = [firstKey.Entry] };
                }
            }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            // Without -v an operator sees the server's own lines and every warning of the parts it is made of, and
            // nothing routine: no per-request lines of HTTP clients, no channel chatter of the in-process sidecar.
            bool chatty = parse.GetValue(verbose);
            using ILoggerFactory loggerFactory = LoggerFactory.Create(logging =>
            {
                logging.AddStandardErrorConsole().SetMinimumLevel(chatty ? LogLevel.Information : LogLevel.Warning);
                logging.AddFilter("GitOps.Orchestrations", LogLevel.Information);
                logging.AddFilter("GitOps.Orchestrations.Server.GitOpsServer", chatty ? LogLevel.Information : LogLevel.Warning); // says "listening" as this command does
                logging.AddFilter("GitOps.Orchestrations.Engine", chatty ? LogLevel.Information : LogLevel.Warning);
                logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
                logging.AddFilter("Microsoft.Extensions.Hosting", chatty ? LogLevel.Warning : LogLevel.None); // a failed start is said once, below
                logging.AddFilter("DurableTask", chatty ? LogLevel.Warning : LogLevel.Error);
                logging.AddFilter("Microsoft.DurableTask", chatty ? LogLevel.Information : LogLevel.Error);
                logging.AddFilter("Grpc", chatty ? LogLevel.Information : LogLevel.Error);
                logging.AddFilter("System.Net.Http", chatty ? LogLevel.Information : LogLevel.Warning);
            });

            if (!options.Engine.Store.IsDurable)
            {
                Console.Error.WriteLine("warning: --store memory: runs, gates, audit entries and pipeline state live in this process only and are lost when it stops (/healthz and GET /api/server say \"durable\": false)");
            }

            GitOpsServer started;
            try
            {
                started = await GitOpsServer.StartAsync(options, loggerFactory, cancellationToken);
            }
            catch (StoreUnreachableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                Console.Error.WriteLine($"error: cannot listen on {options.Urls}: the address is in use (another gitops serve?); choose another with --urls");
                return ExitCodes.Usage;
            }

            await using GitOpsServer server = started;
            Console.Out.WriteLine($"gitops serve: listening on {string.Join(", ", server.Addresses)} ({options.Engine.Store.Describe()}, task hub {options.Engine.TaskHub}, {options.ApiKeys.Count} API key(s))");
            if (firstKey is not null)
            {
                ApiKeyFile.Append(configFile, firstKey.Entry);
                string address = server.Addresses.Count > 0 ? server.Addresses[0] : options.Urls;
                Console.Out.WriteLine($"""
                    No API keys were configured, so this key was made for 'admin' (role approver). It is shown this once;
                    only its SHA-256 is kept, in {configFile}:

                        {firstKey.Key}

                    Sign in with it at {address}/ui/, or from another terminal:
                        gitops login {address} --api-key {firstKey.Key}
                    Add people with: gitops keys add NAME --role viewer|operator|approver [--group GROUP]
                    """);
            }

            await server.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Succeeded;
        });
        return command;
    }
}
