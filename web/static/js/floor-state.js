// A floor answer or event, whichever shape it came in: who speaks and who waits.
export function floorState(answer) {
  const state = answer && answer.state ? answer.state : answer;
  return { speakers: (state && state.speakers) || [], queue: (state && state.queue) || [] };
}
