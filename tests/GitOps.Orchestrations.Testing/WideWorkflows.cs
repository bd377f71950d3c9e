using System.Text;

namespace GitOps.Orchestrations.Testing;

/// <summary>Large workflows for the dashboard's tests and benchmarks: many distinct tasks, not one fan-out.</summary>
public static class WideWorkflows
{
    /// <summary>
    /// <paramref name="layers"/> × <paramref name="width"/> <c>log</c> tasks, each depending on the task
    /// above it and its neighbour; with <paramref name="gate"/>, one approval gate (listed approver
    /// alice) after the first layer that everything later waits on, so the run holds there. With
    /// <paramref name="finalGate"/>, the gate comes after the last layer instead, with one task
    /// <c>done</c> after it: deciding it changes two nodes, not a hundred.
    /// </summary>
    public static string Layered(string name, int layers, int width, bool gate = false, bool finalGate = false)
    {
        var text = new StringBuilder($"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  tasks:\n");
        for (int layer = 0; layer < layers; layer++)
        {
            for (int i = 0; i < width; i++)
            {
                string depends = layer == 0 ? "" : layer == 1 && gate ? ", depends: gate" : $", depends: \"t{layer - 1}-{i} && t{layer - 1}-{(i + 1) % width}\"";
                text.Append($"    - {{name: t{layer}-{i}, uses: log{depends}, with: {{message: \"{layer}.{i}\"}}}}\n");
            }

            if (layer == 0 && gate)
            {
                text.Append($"    - {{name: gate, uses: approval, depends: \"{string.Join(" && ", Enumerable.Range(0, width).Select(i => $"t0-{i}"))}\", with: {{approvers: [alice]}}}}\n");
            }
        }

        if (finalGate)
        {
            text.Append($"    - {{name: gate, uses: approval, depends: \"{string.Join(" && ", Enumerable.Range(0, width).Select(i => $"t{layers - 1}-{i}"))}\", with: {{approvers: [alice]}}}}\n");
            text.Append("    - {name: done, uses: log, depends: gate, with: {message: done}}\n");
        }

        return text.ToString();
    }
}
