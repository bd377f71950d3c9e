using System.CommandLine;
using GitOps.Orchestrations.Server.Authentication;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops keys add|list|remove</c>: API keys in the server's configuration file, stored as their
/// SHA-256 so that nobody computes hashes by hand. The key is printed once, by <c>add</c>.
/// </summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        Option<string> config = new("--config") { Description = $"The server's configuration file (default: {ServeCommand.DefaultConfig})", DefaultValueFactory = _ => ServeCommand.DefaultConfig };
        Argument<string> name = new("name") { Description = "Who holds the key, as gates' approvers lists and the audit log name them" };
        Option<string> role = new("--role") { Description = "viewer, operator or approver", Required = true };
        Option<string[]> groups = new("--group") { Description = "A group the person belongs to, for gates that list group:NAME (repeatable)" };

        Command add = new("add", "Make a key for someone, store its hash, and print the key once") { name, role, groups, config };
        add.SetAction(parse => Guard(() =>
        {
            IssuedKey issued = ApiKeyFile.Add(parse.GetValue(config)!, parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(groups) ?? []);
            // The key alone on stdout (key=$(gitops keys add ...)); what to do with it on stderr.
            Console.Out.WriteLine(issued.Key);
            Console.Error.WriteLine($"added a key for '{issued.Entry.User}' ({issued.Entry.Role}) to {parse.GetValue(config)}; it is shown this once, and a running gitops serve accepts it within a second");
            return ExitCodes.Succeeded;
        }));

        Command list = new("list", "Who holds keys, with their roles and groups") { config };
        list.SetAction(parse => Guard(() =>
        {
            IReadOnlyList<ApiKeyEntry> keys = ApiKeyFile.List(parse.GetValue(config)!);
            if (keys.Count == 0)
            {
                Console.Error.WriteLine($"no API keys in {parse.GetValue(config)}; add one with: gitops keys add NAME --role approver");
            }

            foreach (ApiKeyEntry key in keys)
            {
                Console.Out.WriteLine($"{key.User}\t{key.Role}\t{string.Join(",", key.Groups)}");
            }

            return ExitCodes.Succeeded;
        }));

        Command remove = new("remove", "Remove someone's keys") { name, config };
        remove.SetAction(parse => Guard(() =>
        {
            if (!ApiKeyFile.Remove(parse.GetValue(config)!, parse.GetValue(name)!))
            {
                Console.Error.WriteLine($"error: no key for '{parse.GetValue(name)}' in {parse.GetValue(config)}");
                return ExitCodes.Failed;
            }

            Console.Error.WriteLine($"removed the keys of '{parse.GetValue(name)}' from {parse.GetValue(config)}; a running gitops serve refuses them within a second");
            return ExitCodes.Succeeded;
        }));

        return new Command("keys", "Manage the API keys of gitops serve") { add, list, remove };
    }

    static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
    }
}
