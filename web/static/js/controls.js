// Controls wait for the first answer of their channel, and stop for good when signed out.
export function makeControls(hub) {
  const nodes = [];

  function control(node) {
    if (node) { nodes.push(node); }
    return node;
  }

  function enable(list) {
    for (let i = 0; i < list.length; i++) {
      if (list[i] && hub.state !== "signed_out") { list[i].disabled = false; }
    }
  }

  function disableAll() {
    for (const node of nodes) { node.disabled = true; }
  }

  return { control: control, enable: enable, disableAll: disableAll };
}
