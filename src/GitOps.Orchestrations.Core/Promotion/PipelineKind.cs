using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary><c>kind: Pipeline</c>: freight sources and the stages it is promoted through (docs/pipelines.md).</summary>
public sealed class PipelineKind : DocumentKind<PipelineDefinition>
{
    public override string Kind => PipelineLoader.Kind;

    public override string? NameProblem(string name) => DocumentNames.DnsLabel(name, "pipeline");

    public override PipelineDefinition? Read(KindReader reader) => PipelineLoader.Read(reader);
}
