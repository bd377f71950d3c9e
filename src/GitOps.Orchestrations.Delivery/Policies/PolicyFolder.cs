using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Delivery.Policies;

/// <summary>
/// Kyverno policies read from a folder of YAML files: the server's own set, and
/// <c>gitops render --policy</c>. Documents of other kinds in the folder are refused, so a
/// folder named as policies holds nothing else by mistake.
/// </summary>
public static class PolicyFolder
{
    public const int MaxFiles = 500;

    /// <summary>The policies, or an <see cref="ArgumentException"/> listing every problem as <c>file:line:col</c>.</summary>
    public static IReadOnlyList<PolicyDefinition> Load(string path)
    {
        string[] files = File.Exists(path)
            ? [path]
            : Directory.Exists(path)
                ? [.. Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(MaxFiles + 1)]
                : throw new ArgumentException($"no policy file or folder '{path}'");
        if (files.Length > MaxFiles)
        {
            throw new ArgumentException($"'{path}' holds more than {MaxFiles} YAML files");
        }

        var problems = new List<Diagnostic>();
        var policies = new List<PolicyDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            LoadResult loaded = DocumentLoader.Load(file, File.ReadAllBytes(file), TaskTypeRegistry.BuiltIn());
            problems.AddRange(loaded.Diagnostics);
            foreach (LoadedDocument document in loaded.Documents)
            {
                if (document.Value is not PolicyDefinition policy)
                {
                    problems.Add(new(file, document.At, $"{document.Kind} '{document.Name}' is not a policy; a policy folder holds ClusterPolicy and Policy documents only"));
                }
                else if (!names.Add(policy.Id))
                {
                    problems.Add(new(file, document.At, $"{policy.Id} is defined twice"));
                }
                else
                {
                    policies.Add(policy);
                }
            }
        }

        return problems.Count == 0
            ? policies
            : throw new ArgumentException($"{problems.Count} problem(s) in the policies at {path}:\n  " + string.Join("\n  ", problems.Select(p => p.ToString())));
    }
}
