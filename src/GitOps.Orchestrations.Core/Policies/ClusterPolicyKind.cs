using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary><c>kind: ClusterPolicy</c> (kyverno.io/v1): rules over every object a sync applies (docs/policy.md).</summary>
public sealed class ClusterPolicyKind : DocumentKind<PolicyDefinition>
{
    public const string Name = "ClusterPolicy";

    public override string Kind => Name;

    public override string ApiVersion => PolicyReader.ApiVersion;

    public override string? NameProblem(string name) => DocumentNames.DnsSubdomain(name, "policy");

    public override PolicyDefinition? Read(KindReader reader) => PolicyReader.Read(reader, Name);
}
