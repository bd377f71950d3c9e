using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Loading.Kinds;

namespace GitOps.Orchestrations.Core.Analysis;

/// <summary><c>kind: AnalysisTemplate</c>: metrics and the conditions that judge them (docs/analysis.md).</summary>
public sealed class AnalysisTemplateKind : DocumentKind<AnalysisTemplate>
{
    public override string Kind => AnalysisTemplateLoader.Kind;

    public override string? NameProblem(string name) => DocumentNames.DnsSubdomain(name, "AnalysisTemplate");

    public override AnalysisTemplate? Read(KindReader reader) => AnalysisTemplateLoader.Read(reader);
}
