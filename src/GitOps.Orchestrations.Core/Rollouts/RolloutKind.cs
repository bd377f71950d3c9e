using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary><c>kind: Rollout</c>: a canary or blue-green rollout of one Deployment (docs/rollouts.md).</summary>
public sealed class RolloutKind : DocumentKind<RolloutDefinition>
{
    public override string Kind => RolloutLoader.Kind;

    public override string? NameProblem(string name) => DocumentNames.DnsLabel(name, "rollout");

    public override RolloutDefinition? Read(KindReader reader) => RolloutLoader.Read(reader);
}
