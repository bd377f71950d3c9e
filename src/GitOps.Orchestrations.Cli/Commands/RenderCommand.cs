using System.CommandLine;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Delivery.Policies;
using GitOps.Orchestrations.Engine.Delivery;
using GitOps.Orchestrations.Git;
using GitOps.Orchestrations.Rendering;

namespace GitOps.Orchestrations.Cli.Commands;

/// <summary>
/// <c>gitops render PATH</c>: the normalized manifests a folder renders to, exactly as a sync step
/// would apply them, followed by their digest as a YAML comment, so the output still pipes into
/// <c>kubectl apply -f -</c>. The same input always prints the same bytes.
/// </summary>
internal static class RenderCommand
{
    static readonly string[] KustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

    public static Command Create()
    {
        Argument<string> path = new("path") { Description = "A folder of manifests, a kustomization or a chart" };
        Option<string?> type = new("--type") { Description = "plain, kustomize or helm (default: kustomize where a kustomization.yaml is, helm where a Chart.yaml is, else plain)" };
        Option<string[]> images = new("--image") { Description = "Image override: name=newName:tag, name=newName@sha256:..., or name:tag (repeatable)", AllowMultipleArgumentsPerToken = false };
        Option<string?> ns = new("--namespace") { Description = "Set the namespace of every namespaced object" };
        Option<string[]> policy = new("--policy") { Description = "A file or folder of Kyverno policies to check the render against, as a sync would (repeatable)", AllowMultipleArgumentsPerToken = false };
        Command command = new("render", "Print the normalized manifests a folder renders to, and their digest") { path, type, images, ns, policy };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string folder = Path.GetFullPath(parse.GetValue(path)!);
            if (!Directory.Exists(folder))
            {
                Console.Error.WriteLine($"error: no such folder: {parse.GetValue(path)}");
                return ExitCodes.Failed;
            }

            // As Argo CD does: the folder says what it is, unless told otherwise.
            string? kustomization = KustomizationFiles.FirstOrDefault(f => File.Exists(Path.Combine(folder, f)));
            string? detected = kustomization is not null ? "kustomize" : File.Exists(Path.Combine(folder, "Chart.yaml")) ? "helm" : null;
            string kind = parse.GetValue(type) ?? detected ?? "plain";
            if (parse.GetValue(type) is null && detected is not null)
            {
                Console.Error.WriteLine($"rendering as {detected} ({(kustomization ?? "Chart.yaml")} is there; --type plain reads the files as they are)");
            }

            List<PolicyDefinition> policies = [];
            try
            {
                foreach (string place in parse.GetValue(policy) ?? [])
                {
                    policies.AddRange(PolicyFolder.Load(place));
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failed;
            }

            var spec = new RenderSpec { Type = kind, Images = parse.GetValue(images) ?? [], Namespace = parse.GetValue(ns) };
            var renderer = new RenderService(new GitCheckout(GitCheckout.DefaultCacheDirectory));
            try
            {
                ManifestSet rendered = await renderer.RenderFolderAsync(folder, ".", parse.GetValue(path)!.TrimEnd('/'), spec, inPlace: true, cancellationToken);
                PolicyGateResult gate = new PolicyGate([]).Check(rendered, policies, parse.GetValue(ns) ?? "default");
                ManifestSet set = gate.Set;
                if (gate.Refusal is null)
                {
                    Console.Out.Write(set.Yaml);
                    Console.Out.WriteLine($"# digest: {set.Digest}");
                }

                Console.Error.WriteLine($"{set.Objects.Count} object(s), {set.Digest}");
                if (gate.Findings is PolicyFindings findings)
                {
                    Console.Error.WriteLine($"{findings.Policies} policies: {findings.Mutated} object(s) mutated, {findings.Violations.Count} violation(s)");
                    foreach (PolicyViolation violation in findings.Violations)
                    {
                        Console.Error.WriteLine($"  {violation}");
                    }
                }

                if (gate.Refusal is not null)
                {
                    Console.Error.WriteLine("error: the render breaks an Enforce policy; a sync would write nothing of it");
                    return ExitCodes.Failed;
                }

                return ExitCodes.Succeeded;
            }
            catch (Exception e) when (e is RenderException or ManifestException or ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                if (kind == "plain" && detected is not null)
                {
                    Console.Error.WriteLine($"hint: {kustomization ?? "Chart.yaml"} is in that folder: render it with --type {detected}");
                }

                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
