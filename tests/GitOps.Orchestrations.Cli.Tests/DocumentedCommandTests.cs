using System.CommandLine;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Cli.Commands;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>
/// Every <c>gitops</c> command line in the README, <c>deploy/README.md</c> and <c>docs/</c> parses against the real command
/// tree (its command, its options, their values), and every file of this repository it names is
/// there. A renamed option or a moved sample breaks this test rather than a reader's first hour.
/// </summary>
public sealed partial class DocumentedCommandTests
{
    public static TheoryData<string, string> CommandLines()
    {
        var lines = new TheoryData<string, string>();
        string root = Gitops.RepoRoot;
        IEnumerable<string> files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Prepend(Path.Combine(root, "deploy", "README.md")).Prepend(Path.Combine(root, "README.md"));
        foreach (string file in files)
        {
            bool inShell = false;
            foreach (string line in File.ReadLines(file))
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inShell = !inShell && line.Trim() is "```bash" or "```sh" or "```shell";
                    continue;
                }

                string text = line.Trim();
                if (inShell && text.StartsWith("gitops ", StringComparison.Ordinal))
                {
                    foreach (string command in Expand(WithoutComment(text)))
                    {
                        lines.Add(Path.GetRelativePath(root, file), command);
                    }
                }
            }
        }

        return lines;
    }

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_documented_command_line_parses_and_names_files_that_exist(string document, string line)
    {
        string[] args = Tokens(line).Skip(1).ToArray();
        ParseResult parsed = GitopsCommand.Create().Parse(args);
        Assert.True(parsed.Errors.Count == 0, $"{document}: '{line}': {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        Assert.NotNull(parsed.Action); // a command that does something (or --version), not a bare group such as "gitops keys"

        foreach (string path in args.Where(a => RepositoryPath().IsMatch(a)))
        {
            string full = Path.Combine(Gitops.RepoRoot, path);
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{document}: '{line}' names {path}, which is not in the repository");
        }
    }

    [Fact]
    public void The_documents_hold_command_lines_to_check()
    {
        // A change to how command lines are found must not make the check above vacuous.
        Assert.True(CommandLines().Count > 40, $"only {CommandLines().Count} documented command lines found");
    }

    /// <summary>"gitops status|reject RUN" is two command lines; "A | B" alternatives and [optional] parts are read as their first form.</summary>
    static IEnumerable<string> Expand(string line)
    {
        string first = Regex.Replace(line.Split(" | ")[0], @"\s\[[^\]]*\]", string.Empty);
        string[] words = first.Split(' ', 3);
        if (words.Length > 1 && words[1].Contains('|', StringComparison.Ordinal))
        {
            return words[1].Split('|').Select(verb => $"gitops {verb}{(words.Length > 2 ? " " + words[2] : string.Empty)}");
        }

        return [first];
    }

    static string WithoutComment(string line)
    {
        int hash = line.IndexOf("  #", StringComparison.Ordinal);
        return (hash < 0 ? line : line[..hash]).Trim().TrimEnd('&').Trim();
    }

    /// <summary>Words as a shell splits them: quotes group, and are removed.</summary>
    static IEnumerable<string> Tokens(string line)
    {
        foreach (Match match in Word().Matches(line))
        {
            yield return match.Value.Replace("\"", string.Empty, StringComparison.Ordinal).Replace("'", string.Empty, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("""(?:"[^"]*"|'[^']*'|[^\s"'])+""")]
    private static partial Regex Word();

    [GeneratedRegex(@"^(workflows|deploy|docs|policies)(/|$)")]
    private static partial Regex RepositoryPath();
}
