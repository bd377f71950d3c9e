using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary><c>kind: Policy</c> (kyverno.io/v1): rules over the objects of its own namespace only (docs/policy.md).</summary>
public sealed class PolicyKind : DocumentKind<PolicyDefinition>
{
    public const string Name = "Policy";

    public override string Kind => Name;

    public override string ApiVersion => PolicyReader.ApiVersion;

    public override bool Namespaced => true;

    public override string? NameProblem(string name) => DocumentNames.DnsSubdomain(name, "policy");

    public override PolicyDefinition? Read(KindReader reader) => PolicyReader.Read(reader, Name);
}
