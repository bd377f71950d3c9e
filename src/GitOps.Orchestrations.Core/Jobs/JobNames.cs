using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Jobs;

/// <summary>
/// The name, labels and annotation of the Job one step attempt runs. The name derives from the
/// attempt's idempotency key alone, so a worker that replaces a dead one computes the same name and
/// finds the Job already there instead of starting a second.
/// </summary>
public static partial class JobNames
{
    /// <summary>Pods are named after their Job plus a suffix, and labelled with its name, so a Job's name stays well under 63.</summary>
    public const int MaxLength = 52;

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "gitops-orchestrations";
    public const string RunLabel = "gitops.orchestrations/run";
    public const string NodeLabel = "gitops.orchestrations/node";

    /// <summary>The idempotency key in full, which adoption compares: a name alone could collide with someone else's Job.</summary>
    public const string StepAnnotation = "gitops.orchestrations/step";

    public static string For(string node, string idempotencyKey)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..10];
        string prefix = Dns(node);
        int room = MaxLength - hash.Length - 1;
        prefix = prefix.Length > room ? prefix[..room].TrimEnd('-') : prefix;
        return prefix.Length == 0 ? $"step-{hash}" : $"{prefix}-{hash}";
    }

    /// <summary>A label value from any text: at most 63 of [a-z0-9A-Z-_.], starting and ending alphanumeric.</summary>
    public static string LabelValue(string text)
    {
        string value = NotLabel().Replace(text, "-");
        value = value.Length > 63 ? value[..63] : value;
        return value.Trim('-', '_', '.');
    }

    public static Dictionary<string, string> Labels(string runId, string node) => new(StringComparer.Ordinal)
    {
        [ManagedByLabel] = ManagedBy,
        [RunLabel] = LabelValue(runId),
        [NodeLabel] = LabelValue(node),
    };

    static string Dns(string text) => NotDns().Replace(text.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDns();

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex NotLabel();
}
