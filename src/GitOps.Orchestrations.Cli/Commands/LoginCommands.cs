using System.CommandLine;
using System.Text.Json;
using GitOps.Orchestrations.Cli.Remote;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops login URL --api-key KEY</c> (or <c>--token</c>) checks the credential against the
/// server's <c>/api/me</c> and saves both, so the remote commands find them; <c>gitops logout</c>
/// forgets them.
/// </summary>
internal static class LoginCommands
{
    public static IEnumerable<Command> Create()
    {
        Argument<string> server = new("server") { Description = "The server's URL, as gitops serve prints it" };
        Option<string?> apiKey = new("--api-key") { Description = "An API key ('-' reads it from standard input, which keeps it out of the shell's history)" };
        Option<string?> token = new("--token") { Description = "A bearer token ('-' reads it from standard input)" };
        Command login = new("login", "Check a credential against a server and remember both for the remote commands") { server, apiKey, token };
        login.SetAction(async (parse, ct) =>
        {
            string? key = FromStdin(parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("GITOPS_API_KEY"));
            string? bearer = FromStdin(parse.GetValue(token) ?? Environment.GetEnvironmentVariable("GITOPS_TOKEN"));
            if ((key is null) == (bearer is null))
            {
                Console.Error.WriteLine("error: give exactly one of --api-key or --token");
                return ExitCodes.Usage;
            }

            if (!Uri.TryCreate(parse.GetValue(server), UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"error: '{parse.GetValue(server)}' is not an http or https URL");
                return ExitCodes.Usage;
            }

            using ServerClient? client = ServerClient.TryCreate(url, key, bearer);
            if (client is null)
            {
                return ExitCodes.Usage;
            }

            JsonElement me;
            try
            {
                me = await client.GetAsync<JsonElement>("api/me", ct);
            }
            catch (ServerProblemException e)
            {
                Console.Error.WriteLine($"error: {url} refused the credential ({e.Message}); nothing was saved");
                return ExitCodes.Failed;
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"error: cannot reach {url}: {e.Message}; nothing was saved");
                return ExitCodes.Failed;
            }

            new CliContext { Server = url.ToString().TrimEnd('/'), ApiKey = key, Token = bearer }.Save();
            Console.Out.WriteLine($"logged in to {url.ToString().TrimEnd('/')} as {TableOutput.Text(me, "user")} ({TableOutput.Text(me, "role").ToLowerInvariant()}); saved in {CliContext.FilePath}");
            return ExitCodes.Succeeded;
        });

        Command logout = new("logout", "Forget the server and credential gitops login saved");
        logout.SetAction(_ =>
        {
            Console.Out.WriteLine(CliContext.Delete() ? $"removed {CliContext.FilePath}" : "not logged in");
            return ExitCodes.Succeeded;
        });
        return [login, logout];
    }

    static string? FromStdin(string? value) => value == "-" ? Console.In.ReadLine()?.Trim() : value;
}
