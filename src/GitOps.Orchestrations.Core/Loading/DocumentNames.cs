using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>The naming rules of documents, tasks and params, in one place.</summary>
public static partial class DocumentNames
{
    /// <summary>Why <paramref name="name"/> is not a DNS label (names become parts of run and instance ids), or null.</summary>
    public static string? DnsLabel(string name, string what) =>
        DnsLabelPattern().IsMatch(name) ? null : $"{what} name '{name}' must be a DNS label: lower-case letters, digits and '-', at most 63 characters";

    /// <summary>Why <paramref name="name"/> is not a DNS subdomain (labels joined by dots, at most 253 characters), or null.</summary>
    public static string? DnsSubdomain(string name, string what) =>
        name.Length <= 253 && name.Split('.').All(DnsLabelPattern().IsMatch) ? null : $"{what} name '{name}' must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\z")]
    internal static partial Regex DnsLabelPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}\\z")]
    internal static partial Regex TaskNamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,62}\\z")]
    internal static partial Regex ParamNamePattern();
}
