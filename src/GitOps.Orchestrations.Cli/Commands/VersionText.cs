using System.Reflection;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>"gitops 0.16.0 (commit 1a2b3c4d5e6f)": the version and the commit the binary was built from.</summary>
internal static class VersionText
{
    public static string Describe(Assembly assembly)
    {
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        string[] parts = informational.Split('+', 2);
        string commit = parts.Length == 2 && parts[1].Length >= 12 ? parts[1][..12] : parts.Length == 2 ? parts[1] : "unknown";
        return $"gitops {parts[0]} (commit {commit})";
    }
}
