using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes.Rollouts;

public sealed partial class RolloutCluster
{
    /// <summary>
    /// Blue-green needs the stable pods told apart from the preview pods, since both carry the
    /// stable selector's labels. The first blue-green rollout adds the stable role label to the
    /// stable pod template, which restarts those pods once; later rollouts find it there.
    /// </summary>
    public Task<bool> MarkStablePodsAsync(string stableName, CancellationToken cancellationToken) =>
        ApiCalls.CallAsync(client.Host, $"label Deployment {ns}/{stableName}", async () =>
        {
            V1Deployment stable = await client.AppsV1.ReadNamespacedDeploymentAsync(stableName, ns, cancellationToken: cancellationToken);
            stable.Spec.Template.Metadata ??= new V1ObjectMeta();
            stable.Spec.Template.Metadata.Labels ??= new Dictionary<string, string>();
            if (stable.Spec.Template.Metadata.Labels.TryGetValue(RoleLabel, out string? role) && role == "stable")
            {
                return false;
            }

            stable.Spec.Template.Metadata.Labels[RoleLabel] = "stable";
            await client.AppsV1.ReplaceNamespacedDeploymentAsync(stable, stableName, ns, cancellationToken: cancellationToken);
            return true;
        });

    /// <summary>Points a Service at the pods of one role, and reads the selector back to make sure it took.</summary>
    public async Task SwitchServiceAsync(string service, string role, CancellationToken cancellationToken)
    {
        await ApiCalls.CallAsync(client.Host, $"switch Service {ns}/{service}", async () =>
        {
            V1Service current = await client.CoreV1.ReadNamespacedServiceAsync(service, ns, cancellationToken: cancellationToken);
            current.Spec.Selector ??= new Dictionary<string, string>();
            current.Spec.Selector[RoleLabel] = role;
            return await client.CoreV1.ReplaceNamespacedServiceAsync(current, service, ns, cancellationToken: cancellationToken);
        });
        string? held = await SelectedRoleAsync(service, cancellationToken);
        if (held != role)
        {
            throw new Traffic.TrafficRoutingException($"Service {ns}/{service} was switched to {role} pods, but its selector holds {held ?? "no role"}");
        }
    }

    public async Task<string?> SelectedRoleAsync(string service, CancellationToken cancellationToken)
    {
        V1Service current = await ApiCalls.CallAsync(client.Host, $"read Service {ns}/{service}", () => client.CoreV1.ReadNamespacedServiceAsync(service, ns, cancellationToken: cancellationToken));
        return current.Spec.Selector?.TryGetValue(RoleLabel, out string? role) == true ? role : null;
    }
}
